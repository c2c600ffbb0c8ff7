import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { OtpInput } from './OtpInput';

function Harness({ done }: { done: string[] }) {
  const [v, setV] = useState('');
  return <OtpInput value={v} onChange={setV} onComplete={(c) => done.push(c)} />;
}

const boxes = () => Array.from({ length: 6 }, (_, i) => screen.getByLabelText(`Digit ${i + 1} of 6`) as HTMLInputElement);

describe('OtpInput', () => {
  it('typing fills one box after the other and sends the code at the sixth digit', async () => {
    const done: string[] = [];
    render(<Harness done={done} />);
    const user = userEvent.setup();
    await user.click(boxes()[0]);
    await user.keyboard('123456');
    expect(boxes().map((b) => b.value).join('')).toBe('123456');
    expect(done).toEqual(['123456']);
  });

  it('pasting the whole code (with spaces) into any box fills every box', () => {
    const done: string[] = [];
    render(<Harness done={done} />);
    fireEvent.paste(boxes()[3], { clipboardData: { getData: () => ' 847 291 ' } });
    expect(boxes().map((b) => b.value)).toEqual(['8', '4', '7', '2', '9', '1']);
    expect(done).toEqual(['847291']);
  });

  it('Backspace on an empty box clears the previous one and moves there', async () => {
    render(<Harness done={[]} />);
    const user = userEvent.setup();
    await user.click(boxes()[0]);
    await user.keyboard('12');
    expect(document.activeElement).toBe(boxes()[2]);
    await user.keyboard('{Backspace}');
    expect(boxes().map((b) => b.value).join('')).toBe('1');
    expect(document.activeElement).toBe(boxes()[1]);
  });

  it('ignores letters', async () => {
    render(<Harness done={[]} />);
    const user = userEvent.setup();
    await user.click(boxes()[0]);
    await user.keyboard('a1b');
    expect(boxes().map((b) => b.value).join('')).toBe('1');
  });
});
