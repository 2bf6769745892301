// The build the suite runs: the shared harness's (tools/harness/build.ts).
export { BUILD_DIR, buildIsFresh, ensureBuild, REPO } from '../../../tools/harness/build';
