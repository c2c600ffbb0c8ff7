/** The request schemas of community-svc's routes: defined in the contracts, which the gateway reads too. */
import { CommunityApi } from '@webxterm/contracts';

export const { CreateFix, CreateIssue, ListIssues, Paging, UpdateIssue } = CommunityApi;
