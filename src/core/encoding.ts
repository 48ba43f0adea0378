// Text encodings the analyzer accepts: UTF-8 (with or without BOM, invalid bytes counted as
// they are), and UTF-16 LE/BE with a BOM, transcoded to UTF-8 bytes once so the line analyzer
// only ever sees one encoding.

/** How many leading bytes are searched for a NUL to call a file binary. */
export const BINARY_SNIFF_BYTES = 8192;

/** Bytes the analyzer runs over: `data[start..]` (start skips a UTF-8 BOM). */
export interface DecodedText {
	data: Buffer;
	start: number;
	/** The encoding found: 'utf8' (also plain ASCII and invalid UTF-8), 'utf16le' or 'utf16be'. */
	encoding: 'utf8' | 'utf16le' | 'utf16be';
}

/**
 * The bytes to analyze, or undefined when the file is binary (a NUL byte in its first
 * `BINARY_SNIFF_BYTES` bytes; UTF-16 files, which are full of NULs, are recognised by their
 * BOM first).
 */
export function decodeText(buf: Buffer): DecodedText | undefined {
	const n = buf.length;
	if (n >= 2) {
		if (buf[0] === 0xff && buf[1] === 0xfe) return { data: utf16ToUtf8(buf, false), start: 0, encoding: 'utf16le' };
		if (buf[0] === 0xfe && buf[1] === 0xff) return { data: utf16ToUtf8(buf, true), start: 0, encoding: 'utf16be' };
	}
	const sniff = n > BINARY_SNIFF_BYTES ? buf.subarray(0, BINARY_SNIFF_BYTES) : buf;
	if (sniff.indexOf(0) !== -1) return undefined;
	const start = n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
	return { data: buf, start, encoding: 'utf8' };
}

/** UTF-16 (BOM included in `buf`, dropped from the result) to UTF-8; an odd last byte is ignored. */
function utf16ToUtf8(buf: Buffer, bigEndian: boolean): Buffer {
	const end = 2 + ((buf.length - 2) & ~1);
	let body = buf.subarray(2, end);
	if (bigEndian) body = Buffer.from(body).swap16();
	return Buffer.from(body.toString('utf16le'), 'utf8');
}
