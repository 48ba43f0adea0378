// Text encodings the analyzer accepts: UTF-8 (with or without BOM, invalid bytes counted as
// they are), and UTF-16 and UTF-32, LE or BE, with a BOM, transcoded to UTF-8 bytes once so the
// line analyzer only ever sees one encoding.

/** How many leading bytes are searched for a NUL to call a file binary. */
export const BINARY_SNIFF_BYTES = 8192;

/** Bytes the analyzer runs over: `data[start..]` (start skips a UTF-8 BOM). */
export interface DecodedText {
	data: Buffer;
	start: number;
	/** The encoding found: 'utf8' (also plain ASCII and invalid UTF-8), or the one its BOM names. */
	encoding: 'utf8' | 'utf16le' | 'utf16be' | 'utf32le' | 'utf32be';
}

/**
 * The bytes to analyze, or undefined when the file is binary (a NUL byte in its first
 * `BINARY_SNIFF_BYTES` bytes; UTF-16 files, which are full of NULs, are recognised by their
 * BOM first).
 */
export function decodeText(buf: Buffer): DecodedText | undefined {
	const n = buf.length;
	if (n >= 4) {
		// UTF-32 first: its LE BOM starts with UTF-16 LE's (a UTF-16 file whose first character is
		// U+0000 reads the same, and is no text anyway).
		if (buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) return { data: utf32ToUtf8(buf, false), start: 0, encoding: 'utf32le' };
		if (buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff) return { data: utf32ToUtf8(buf, true), start: 0, encoding: 'utf32be' };
	}
	if (n >= 2) {
		if (buf[0] === 0xff && buf[1] === 0xfe) return { data: utf16ToUtf8(buf, false), start: 0, encoding: 'utf16le' };
		if (buf[0] === 0xfe && buf[1] === 0xff) return { data: utf16ToUtf8(buf, true), start: 0, encoding: 'utf16be' };
	}
	const sniff = n > BINARY_SNIFF_BYTES ? buf.subarray(0, BINARY_SNIFF_BYTES) : buf;
	if (sniff.indexOf(0) !== -1) return undefined;
	const start = n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
	return { data: buf, start, encoding: 'utf8' };
}

/**
 * UTF-16 (BOM included in `buf`, dropped from the result) to UTF-8. An odd last byte (half a code
 * unit) becomes U+FFFD, as a WHATWG decoder reads it, so it still makes a line.
 */
function utf16ToUtf8(buf: Buffer, bigEndian: boolean): Buffer {
	const end = 2 + ((buf.length - 2) & ~1);
	let body = buf.subarray(2, end);
	if (bigEndian) body = Buffer.from(body).swap16();
	const text = body.toString('utf16le');
	return Buffer.from(end < buf.length ? text + '\ufffd' : text, 'utf8');
}

/**
 * UTF-32 (BOM included in `buf`, dropped from the result) to UTF-8. A value that is no Unicode
 * scalar (over U+10FFFF, or a surrogate), and a short last unit, become U+FFFD.
 */
function utf32ToUtf8(buf: Buffer, bigEndian: boolean): Buffer {
	const parts: string[] = [];
	let chunk: number[] = [];
	for (let i = 4; i < buf.length; i += 4) {
		let cp = 0xfffd;
		if (i + 4 <= buf.length) {
			const v = bigEndian ? buf.readUInt32BE(i) : buf.readUInt32LE(i);
			if (v <= 0x10ffff && (v < 0xd800 || v > 0xdfff)) cp = v;
		}
		chunk.push(cp);
		// fromCodePoint takes its code points as arguments: a few thousand at a time.
		if (chunk.length === 4096) {
			parts.push(String.fromCodePoint(...chunk));
			chunk = [];
		}
	}
	parts.push(String.fromCodePoint(...chunk));
	return Buffer.from(parts.join(''), 'utf8');
}
