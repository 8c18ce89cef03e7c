export { FIXTURES, fixture } from '@svcmon/testkit';
