async () => {
  const problems = [];
  const sets = [...document.querySelectorAll(".tabbed-set")];
  for (const [s, set] of sets.entries()) {
    const labels = [...set.querySelectorAll(":scope > .tabbed-labels > label")];
    const blocks = [...set.querySelectorAll(":scope > .tabbed-content > .tabbed-block")];
    if (labels.length !== blocks.length) problems.push(`tab set ${s + 1}: ${labels.length} labels, ${blocks.length} panels`);
    for (const [i, label] of labels.entries()) {
      label.click();
      await new Promise(r => setTimeout(r, 50));
      const shown = blocks.map(b => b.offsetParent !== null && b.getBoundingClientRect().height > 0);
      const ok = shown[i] && shown.filter(Boolean).length === 1;
      if (!ok) problems.push(`tab set ${s + 1}: clicking "${label.innerText.trim()}" shows panels ${JSON.stringify(shown)}`);
    }
    if (labels.length) labels[0].click();
  }
  return [sets.length, problems];
}
