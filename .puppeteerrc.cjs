// Browsers cannot be downloaded here: the tests launch Debian's chromium and firefox-esr instead.
module.exports = { skipDownload: true };
