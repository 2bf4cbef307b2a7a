/** Tiny files that look like native objects, for the native-code checks (nothing is built). */

/** The first 64 bytes of a 64-bit little-endian ELF shared object for `machine` (62 x86-64, 183 aarch64). */
export function elfHeader(machine: number, bigEndian = false): Buffer {
  const head = Buffer.alloc(64);
  head.write('\x7fELF', 0, 'latin1');
  head[4] = 2; // 64-bit
  head[5] = bigEndian ? 2 : 1;
  head[6] = 1;
  if (bigEndian) {
    head.writeUInt16BE(3, 16);
    head.writeUInt16BE(machine, 18);
  } else {
    head.writeUInt16LE(3, 16);
    head.writeUInt16LE(machine, 18);
  }
  return head;
}
