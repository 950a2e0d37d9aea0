// Screenshots of the demo database for the README and the store page.
// Usage: node shoot.js BASE_URL OUT_DIR name=path [name=path ...]
const fs = require("fs");
const { execFileSync } = require("child_process");
const { chromium } = require("playwright-core");

(async () => {
  const [base, outDir, ...shots] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${base}/web/login`);
  await page.fill("input[name=login]", process.env.ODOO_LOGIN || "admin");
  await page.fill("input[name=password]", process.env.ODOO_PASSWORD || "admin");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/odoo/);
  for (const spec of shots) {
    // name=path[|text of a notebook tab to open][!selector of a button to click]
    // a path starting with raw: is a plain page (e.g. a report as HTML)
    const name = spec.slice(0, spec.indexOf("="));
    let rest = spec.slice(spec.indexOf("=") + 1);
    let click = null;
    if (rest.includes("!")) {
      [rest, click] = rest.split("!");
    }
    const [path, tab] = rest.split("|");
    if (path.startsWith("pdf:")) {
      // a PDF report: its first page as an image (pdftoppm, poppler-utils)
      const response = await page.request.get(`${base}${path.slice(4)}`);
      const pdf = `${outDir}/${name}.pdf`;
      fs.writeFileSync(pdf, await response.body());
      execFileSync("pdftoppm", ["-png", "-r", "90", "-f", "1", "-l", "1",
        "-singlefile", pdf, `${outDir}/${name}`]);
      fs.unlinkSync(pdf);
      console.log(`${outDir}/${name}.png`);
      continue;
    }
    const raw = path.startsWith("raw:");
    await page.goto(`${base}${raw ? path.slice(4) : path}`);
    if (!raw) {
      await page.waitForSelector(".o_view_controller, .modal .o_form_view", {
        timeout: 20000,
      });
    }
    if (tab) {
      await page.click(`.o_notebook_headers a:text-is("${tab}")`);
    }
    if (click) {
      // steps separated by ";;": "selector" clicks, "fill:selector::value" types
      for (const step of click.split(";;")) {
        if (step.startsWith("fill:")) {
          const [selector, value] = step.slice(5).split("::");
          await page.fill(selector, value);
          await page.keyboard.press("Escape");
        } else {
          await page.click(step);
        }
        await page.waitForTimeout(1000);
      }
      await page.waitForTimeout(3000);
    }
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `${outDir}/${name}.png` });
    console.log(`${outDir}/${name}.png`);
  }
  await browser.close();
})();
