/*
 * 运行 buttons: run a chapter's code blocks on a real Python kernel, in the page.
 *
 * Nothing heavy loads until a reader presses the 运行 button. Then this script
 *   1. decides where the kernel is:
 *      - local: `make playground` starts a Jupyter server on 127.0.0.1 with a fresh token and
 *        prints a link to this site whose URL fragment carries the server URL and token
 *        (#playground=<url>&token=<token>). The fragment is moved into sessionStorage and
 *        removed from the address bar at once; the token is never part of the built site.
 *      - Binder (mybinder.org, from extra.repository in mkdocs.yml) on the hosted site.
 *   2. checks a local server answers and accepts the token, and says in Chinese what to do
 *      when it does not (never a silent "launching");
 *   3. loads the self-hosted Thebe 0.9 build (assets/vendor/thebe/) with explicit options
 *      (a bare bootstrap() would go to Binder), turns every Python block of the page into an
 *      editable cell on one kernel (one kernel path per page) and runs the block pressed.
 */
(function () {
  "use strict";

  var configEl = document.getElementById("playground-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);
  var STORE = "playground-kernel";
  var LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]", "::1"];

  // 1. A link printed by `make playground`: keep the kernel address for this tab, drop it from the URL.
  (function takeFragment() {
    var hash = location.hash.replace(/^#/, "");
    if (hash.indexOf("playground=") !== 0) return;
    var params = new URLSearchParams(hash);
    var url = params.get("playground");
    var token = params.get("token");
    if (url && token && /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/.test(url)) {
      sessionStorage.setItem(STORE, JSON.stringify({ url: url.replace(/\/$/, ""), token: token }));
    }
    history.replaceState(null, "", location.pathname + location.search);
  })();

  if (!config.page || /\.ipynb$/.test(config.page)) return;
  var blocks = Array.prototype.slice.call(
    document.querySelectorAll("article .language-python.highlight, article .language-py.highlight")
  ).filter(function (block) {
    // Only whole scripts from snippets/ (their title names the file) run on their own;
    // excerpts such as bench/cases.py fragments or a script's section do not.
    var title = block.querySelector(".filename");
    return block.querySelector("pre > code") && title && /^snippets\//.test(title.textContent.trim());
  });
  if (!blocks.length) return;

  var state = { phase: "idle", restarting: null };

  function kernelTarget() {
    var stored = sessionStorage.getItem(STORE);
    if (stored) {
      try {
        var k = JSON.parse(stored);
        if (k.url && k.token) return { kind: "local", url: k.url, token: k.token };
      } catch (e) { /* fall through */ }
    }
    if (LOCAL_HOSTS.indexOf(location.hostname) >= 0 || location.protocol === "file:") {
      return { kind: "none" };
    }
    return { kind: "binder" };
  }

  var HOW_TO_START =
    "在仓库根目录运行 <code>make playground</code>，然后打开它在终端里打印的链接" +
    "（链接里带着这次运行的令牌；每次启动都会换新）。";

  function say(bar, html, kind) {
    var status = bar.querySelector(".playground-status");
    status.innerHTML = html;
    status.className = "playground-status" + (kind ? " playground-status--" + kind : "");
    status.hidden = !html;
  }

  // 2. Is the local server there, and does it take our token?
  function probeLocal(target) {
    return fetch(target.url + "/api/status", {
      headers: { Authorization: "token " + target.token },
      cache: "no-store",
      credentials: "omit",
    }).then(
      function (response) {
        if (response.ok) return null;
        if (response.status === 401 || response.status === 403) {
          return "本地 Jupyter 内核拒绝了这个页面带来的令牌（HTTP " + response.status + "）。令牌每次启动都会换新：" + HOW_TO_START;
        }
        return "本地 Jupyter 内核返回了错误（HTTP " + response.status + "）。" + HOW_TO_START;
      },
      function () {
        // A refused token comes back without CORS headers and looks like a network error:
        // an opaque (no-cors) request tells "server there, token refused" from "no server".
        return fetch(target.url + "/api/status", { mode: "no-cors", cache: "no-store", credentials: "omit" }).then(
          function () {
            return "本地 Jupyter 内核拒绝了这个页面带来的令牌（或这个页面的地址）。令牌每次启动都会换新：" + HOW_TO_START;
          },
          function () {
            return "连不上本地 Jupyter 内核 " + target.url + "：它没有在运行，或者已经停止。" + HOW_TO_START;
          }
        );
      }
    );
  }

  function loadThebe() {
    if (window.thebe && window.thebe.bootstrap) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = config.thebeCss;
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = config.thebe;
      script.onload = function () { resolve(); };
      script.onerror = function () { reject(new Error("无法加载 " + config.thebe)); };
      document.head.appendChild(script);
    });
  }

  function thebeOptions(target) {
    var options = {
      requestKernel: true,
      useBinder: target.kind === "binder",
      useJupyterLite: false,
      mountStatusWidget: false,
      mountActivateWidget: false,
      mountRunButton: true,
      mountRestartButton: true,
      mountRunAllButton: false,
      mountRestartAllButton: false,
      selector: "[data-playground-cell]",
      outputSelector: "[data-playground-output]",
      predefinedOutput: false,
      mathjaxUrl: "", // no CDN MathJax (the snippets print text)
      // one kernel per page: every block of this page shares its variables
      kernelOptions: { kernelName: "python3", path: config.page },
      codeMirrorConfig: { lineNumbers: false },
    };
    if (target.kind === "local") {
      options.serverSettings = {
        baseUrl: target.url,
        wsUrl: target.url.replace(/^http/, "ws"),
        token: target.token,
        appendToken: true, // websockets cannot send headers: the token goes in their URL
      };
    } else {
      options.binderOptions = {
        repo: config.repository.owner + "/" + config.repository.name,
        ref: config.repository.branch,
        binderUrl: "https://mybinder.org",
        repoProvider: "github",
      };
    }
    return options;
  }

  function localise() {
    document.querySelectorAll(".thebe-run-button").forEach(function (b) {
      b.textContent = "运行";
      b.title = "运行这段代码（可以先修改）";
    });
    document.querySelectorAll(".thebe-restart-button").forEach(function (b) {
      b.textContent = "重启内核";
      b.title = "重启本页的 Jupyter 内核：清空所有变量";
    });
  }

  // 重启内核 is handled here, not by Thebe's own button. That button calls restart() on the
  // kernel connection (the @jupyterlab/services build inside the pinned Thebe), which holds back
  // outgoing messages only until the next message arrives on the old websocket: its
  // _onWSMessage takes the session of every incoming message as the current one. The kernel
  // being replaced answers the server's shutdown request on iopub ("busy", then "idle" once it
  // has terminated its child processes, e.g. torch.compile's workers) and keeps running what
  // it is sent until it exits. So a 运行 pressed during the restart went to the old kernel: it
  // printed the old variables, or never answered and the output stayed empty, while
  // kernel.status already read "idle". Every run therefore waits until the restart (new
  // kernel up, websocket reconnected to it) has finished.
  function takeOverRestart(bar, session, notebook, target) {
    notebook.cells.forEach(function (cell) {
      var execute = cell.execute.bind(cell);
      cell.execute = function (source) {
        var restarting = state.restarting || Promise.resolve();
        return restarting.then(function () { return execute(source); });
      };
    });
    document.querySelectorAll(".thebe-restart-button").forEach(function (button) {
      // the message goes under the block whose button was pressed
      var block = button.closest(".highlight");
      var own = block && block.nextElementSibling;
      var where = own && own.classList.contains("playground-bar") ? own : bar;
      button.onclick = function () { return restartKernel(where, session, target); };
    });
  }

  function restartKernel(bar, session, target) {
    if (state.restarting) return state.restarting;
    say(bar, "正在重启内核…", "info");
    state.restarting = Promise.resolve()
      .then(function () { return session.restart(); })
      .then(
        function () { say(bar, "内核已重启，变量都已清空。", "ok"); },
        function (error) {
          var message = error && error.message ? error.message : String(error);
          say(bar, "重启内核失败：" + escapeHtml(message) + "。" +
            (target.kind === "local" ? HOW_TO_START : "可以刷新页面重试。"), "error");
        }
      )
      .then(function () { state.restarting = null; });
    return state.restarting;
  }

  function activate(bar, index) {
    var target = kernelTarget();
    if (target.kind === "none") {
      say(bar, "这个页面还没有连接 Python 内核。" + HOW_TO_START, "error");
      return;
    }
    state.phase = "starting";
    say(
      bar,
      target.kind === "local"
        ? "正在连接本地 Jupyter 内核 " + target.url + " …"
        : "正在通过 Binder 启动内核（mybinder.org；第一次可能要几分钟）…",
      "info"
    );
    var first = target.kind === "local" ? probeLocal(target) : Promise.resolve(null);
    first
      .then(function (problem) {
        if (problem) throw new Error(problem);
        return loadThebe();
      })
      .then(function () {
        blocks.forEach(function (block) {
          block.querySelector("pre").setAttribute("data-playground-cell", "");
        });
        window.thebe.on("status", function (evt, data) {
          if (!data) return;
          if (data.status === "error" || data.status === "dead" || data.status === "failed") {
            say(bar, "内核出错：" + escapeHtml(String(data.message || data.status)) + "。" +
              (target.kind === "local" ? HOW_TO_START : "可以刷新页面重试，或使用页面顶部的“在 Colab 中打开”。"), "error");
          }
        });
        return window.thebe.bootstrap(thebeOptions(target));
      })
      .then(function (result) {
        if (!result || !result.session) throw new Error("没有拿到内核会话。");
        state.phase = "ready";
        localise();
        takeOverRestart(bar, result.session, result.notebook, target);
        document.querySelectorAll(".playground-run").forEach(function (b) { b.hidden = true; });
        say(bar, target.kind === "local" ? "已连接本地 Jupyter 内核。代码可以直接修改，再按“运行”。" : "已连接 Binder 内核。", "ok");
        var cell = result.notebook.cells[index];
        if (cell) return cell.execute(cell.source);
      })
      .catch(function (error) {
        state.phase = "idle";
        var message = error && error.message ? error.message : String(error);
        if (message.indexOf("make playground") < 0 && target.kind === "local") {
          message = "连接本地 Jupyter 内核失败：" + escapeHtml(message) + "。" + HOW_TO_START;
        } else if (target.kind === "binder" && message.indexOf("Binder") < 0) {
          message = "Binder 没能启动内核：" + escapeHtml(message) +
            "。可以稍后重试，使用页面顶部的“在 Colab 中打开”，或者克隆仓库后在本地运行 <code>make playground</code>。";
        }
        say(bar, message, "error");
      });
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  blocks.forEach(function (block, index) {
    var bar = document.createElement("div");
    bar.className = "playground-bar";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button playground-run";
    button.textContent = "运行";
    button.title = "在 Python 内核上运行这段代码，并且可以修改后再运行";
    var status = document.createElement("div");
    status.className = "playground-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    status.hidden = true;
    bar.appendChild(button);
    bar.appendChild(status);
    block.insertAdjacentElement("afterend", bar);
    button.addEventListener("click", function () {
      if (state.phase === "starting") return;
      activate(bar, index);
    });
  });
})();
