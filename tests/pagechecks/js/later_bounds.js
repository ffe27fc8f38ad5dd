// Each block deferred by sitekit/render_later.py, rendered, is at most as tall as the
// placeholder it had (site.css: contain-intrinsic-size); the blocks are deferred again after.
() => {
  const blocks = [...document.querySelectorAll("[data-later]")];
  const placeholders = blocks.map(el => parseFloat(getComputedStyle(el).containIntrinsicHeight.replace("auto", "")));
  const skipped = blocks.filter(el => getComputedStyle(el).contentVisibility === "auto").length;
  blocks.forEach(el => { el.style.contentVisibility = "visible"; });
  const over = [];
  blocks.forEach((el, i) => {
    const real = el.getBoundingClientRect().height;
    if (!(real <= placeholders[i] + 0.5)) {
      const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50);
      over.push(`${el.tagName.toLowerCase()}.${el.classList[0] || ""} "${text}": ${Math.round(real)} px tall, placeholder ${placeholders[i]} px`);
    }
  });
  blocks.forEach(el => { el.style.contentVisibility = ""; });
  return { count: blocks.length, skipped, over };
}
