import { Link } from 'react-router';
import { PageHeader } from '../components/ui';

export function NotFound() {
  return (
    <section>
      <PageHeader title="Not found" />
      <p>There is nothing here, or you have no access to it. <Link to="/machines">Go to your machines</Link>.</p>
    </section>
  );
}
