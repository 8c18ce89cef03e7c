export { FIXTURES, REPO_ROOT } from '@svcmon/testkit';
