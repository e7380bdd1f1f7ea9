import { describe, expect, it } from 'vitest';
import { parseProcAddr, parseProcNetTcp, socketInodes } from './sockets.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:9F04 0100007F:192B 01 00000000:00000000 02:00000A3B 00000000     0        0 1002 2 0000000000000000 20 4 30 10 -1
   2: 0100007F:9F06 0100007F:192B 06 00000000:00000000 03:00001679 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:2710 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:C350 0000000000000000FFFF00000100007F:192B 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
   2: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0
`;

describe('/proc/net/tcp parsing', () => {
  it('reads IPv4 addresses (little-endian words) and ports', () => {
    expect(parseProcAddr('0100007F:1F90')).toEqual({ addr: '127.0.0.1', port: 8080 });
    expect(parseProcAddr('0103F40A:0035')).toEqual({ addr: '10.244.3.1', port: 53 });
  });
  it('keeps IPv6 only where it stands for IPv4', () => {
    expect(parseProcAddr('00000000000000000000000000000000:2710')).toEqual({ addr: '0.0.0.0', port: 10000 });
    expect(parseProcAddr('0000000000000000FFFF00000100007F:C350')).toEqual({ addr: '127.0.0.1', port: 50000 });
    expect(parseProcAddr('00000000000000000000000001000000:0016')).toBeUndefined(); // ::1
    expect(parseProcAddr('garbage')).toBeUndefined();
  });
  it('lists listening and established sockets with their inodes', () => {
    const s = parseProcNetTcp(TCP);
    expect(s).toEqual([
      { local: { addr: '127.0.0.1', port: 8080 }, remote: { addr: '0.0.0.0', port: 0 }, state: 'listen', inode: 1001 },
      { local: { addr: '127.0.0.1', port: 40708 }, remote: { addr: '127.0.0.1', port: 6443 }, state: 'established', inode: 1002 },
      { local: { addr: '127.0.0.1', port: 40710 }, remote: { addr: '127.0.0.1', port: 6443 }, state: 'other', inode: 0 },
    ]);
    expect(parseProcNetTcp(TCP6).map((x) => `${x.state} ${x.local.addr}:${x.local.port} ${x.inode}`)).toEqual(['listen 0.0.0.0:10000 2001', 'established 127.0.0.1:50000 2002']);
  });
  it('takes socket inodes from fd link targets', () => {
    expect([...socketInodes(['socket:[1002]', 'pipe:[5]', '/dev/null', 'socket:[2001]', 'anon_inode:[eventpoll]'])]).toEqual([1002, 2001]);
  });
});
