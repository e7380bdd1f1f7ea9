// Free loopback ports for processes the tests start, chosen by the kernel (port 0), so
// parallel test files never collide on a fixed number.
export { freePort } from '@kubesim/launcher';
