// The two sites the suite serves the build on: the shared harness's (tools/harness/two-sites.ts).
export { MIME } from '../../../tools/harness/static-server';
export { startServers, type Servers, type Side, type TwoSitesOptions as ServeOptions } from '../../../tools/harness/two-sites';
