/* The first run's banner (index.html): while `ccn run`'s background job embeds and trains,
 * /health's `build` says so — step, counts, time left — and the banner shows it; it hides
 * once the job is done. A file, not an inline script (the Content-Security-Policy). */
"use strict";

(function () {
  const EVERY_MS = 5000;

  function eta(seconds) {
    if (seconds === null || seconds === undefined) return "";
    return seconds >= 90 ? `, còn khoảng ${Math.round(seconds / 60)} phút` : `, còn khoảng ${Math.max(1, seconds)} giây`;
  }

  function text(build) {
    const counts = build.total ? ` ${build.done}/${build.total} (${Math.floor(100 * build.done / build.total)} %)` : "";
    return `Đang hoàn thiện chỉ mục — ${build.step}${counts}${eta(build.eta_seconds)}. ` +
      "Tìm theo từ khoá đã dùng được; kết quả sẽ tốt hơn khi xong.";
  }

  async function look() {
    const banner = document.getElementById("build-banner");
    if (!banner) return;
    let build = null;
    try {
      build = (await (await fetch("/health")).json()).build;
    } catch (_) {
      build = null;
    }
    const running = build && (build.state === "running" || build.state === "queued");
    if (build && build.state === "failed") {
      banner.textContent = `Xây dựng chỉ mục trong nền thất bại: ${build.error || ""}`;
      banner.hidden = false;
      return;
    }
    banner.hidden = !running;
    if (running) {
      banner.textContent = text(build);
      setTimeout(look, EVERY_MS);
    }
  }

  document.addEventListener("DOMContentLoaded", look);
})();
