export { FIXTURES } from '@svcmon/testkit';
