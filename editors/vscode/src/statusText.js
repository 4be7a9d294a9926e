'use strict';
// Pure: the status-bar item's text and tooltip for a `tabguard/fileStatus` answer (statusItem.js).

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describe({ aiSpans = 0, unreviewed = 0, findings = 0, notChecked }) {
  if (notChecked) {
    // "0 findings" would read as a clean file.
    return { text: '$(shield) not checked', tooltip: `tabguard: this file is not checked: ${notChecked}.`, warn: false };
  }
  const ai = aiSpans === 0 ? 'no AI code' : `${unreviewed}/${aiSpans} AI unreviewed`;
  return {
    text: `$(shield) ${ai} · ${plural(findings, 'finding')}`,
    tooltip:
      `tabguard: ${plural(unreviewed, 'unreviewed AI span')} (of ${aiSpans}), ` +
      `${plural(findings, 'finding')} in this file. Click for the AI inventory.`,
    warn: unreviewed > 0 || findings > 0,
  };
}

module.exports = { describe };
