// Entry point of the fixture app.
const path = require('path');
const { clamp } = require('./util/math');

/* Prints the clamped
   base name of a path. */
function main(argv) {
	const name = path.basename(argv[0] || '');
	console.log(name, clamp(name.length, 0, 10));
}

class Runner {
	run() {
		main(process.argv.slice(2));
	}
}

module.exports = { main, Runner };
