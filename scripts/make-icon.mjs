#!/usr/bin/env node
// Draws the extension icon (media/icon.png, 128x128) from this project's own shapes: a rounded
// square, a pair of parentheses and a lambda. No artwork is copied; the PNG is encoded here
// (zlib + CRC-32 from Node), so nothing needs installing. Re-run after changing the drawing:
//   node scripts/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4; // 4x4 supersampling for smooth edges

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
const top = hex('#26295f');
const bottom = hex('#5a3d9e');
const paren = hex('#e9e6ff');
const lambda = hex('#f5c542');

/** Distance from p to the segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Distance from p to an arc (centre, radius, angles in degrees, counter-clockwise from +x, y down). */
function arcDistance(px, py, cx, cy, r, from, to) {
  const angle = (Math.atan2(py - cy, px - cx) * 180) / Math.PI;
  const inArc = (a) => (from <= to ? a >= from && a <= to : a >= from || a <= to);
  if (inArc(angle) || inArc(angle + 360) || inArc(angle - 360)) return Math.abs(Math.hypot(px - cx, py - cy) - r);
  const end = (deg) => [cx + r * Math.cos((deg * Math.PI) / 180), cy + r * Math.sin((deg * Math.PI) / 180)];
  const [ax, ay] = end(from);
  const [bx, by] = end(to);
  return Math.min(Math.hypot(px - ax, py - ay), Math.hypot(px - bx, py - by));
}

function insideRoundedSquare(x, y, inset, radius) {
  const lo = inset + radius;
  const hi = SIZE - inset - radius;
  const cx = Math.max(lo, Math.min(hi, x));
  const cy = Math.max(lo, Math.min(hi, y));
  return Math.hypot(x - cx, y - cy) <= radius;
}

/** The colour at one sample point, or null outside the icon. */
function sample(x, y) {
  if (!insideRoundedSquare(x, y, 2, 26)) return null;
  let color = top.map((c, i) => c + ((bottom[i] - c) * y) / SIZE);
  const half = 4.8;
  if (arcDistance(x, y, 70, 64, 46, 145, 215) <= half || arcDistance(x, y, 58, 64, 46, -35, 35) <= half) color = paren;
  if (segmentDistance(x, y, 49, 33, 80, 95) <= half + 0.6 || segmentDistance(x, y, 65, 62, 46, 95) <= half + 0.6) color = lambda;
  return color;
}

function render() {
  const rgba = Buffer.alloc(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = sample(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
          if (!c) continue;
          sum[0] += c[0];
          sum[1] += c[1];
          sum[2] += c[2];
          sum[3] += 1;
        }
      }
      const o = (y * SIZE + x) * 4;
      const n = sum[3];
      rgba[o] = n ? Math.round(sum[0] / n) : 0;
      rgba[o + 1] = n ? Math.round(sum[1] / n) : 0;
      rgba[o + 2] = n ? Math.round(sum[2] / n) : 0;
      rgba[o + 3] = Math.round((255 * n) / (SAMPLES * SAMPLES));
    }
  }
  return rgba;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) rgba.copy(rows, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4); // filter 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon.png');
fs.writeFileSync(out, encodePng(render()));
console.log(`wrote ${out}`);
