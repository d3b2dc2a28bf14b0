namespace ScaleControl.Server.Dashboard;

/// <summary>The dashboard's HTML shell; <see cref="DashboardScript"/> fills it from the API.</summary>
internal static class DashboardPage
{
    public const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>ScaleControl</title>
          <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%230f172a'/%3E%3Cpath d='M6 22l6-7 5 4 9-11' stroke='%2338bdf8' stroke-width='3' fill='none' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E">
          <link rel="stylesheet" href="/dashboard/dashboard.css">
        </head>
        <body>
          <header class="topbar">
            <div class="brand">
              <svg viewBox="0 0 32 32" aria-hidden="true"><rect width="32" height="32" rx="8" fill="#1e293b"/><path d="M6 22l6-7 5 4 9-11" stroke="#38bdf8" stroke-width="3" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>
              <span>ScaleControl</span>
            </div>
            <span id="mode" class="badge">…</span>
            <span id="leader" class="muted"></span>
            <span class="spacer"></span>
            <span id="live" class="live" data-state="connecting"><i></i><span id="live-text">connecting…</span></span>
            <button id="signout" class="ghost" type="button" hidden>Sign out</button>
          </header>

          <div id="banner" class="banner" role="status" hidden></div>

          <main class="layout">
            <div class="main-column">
              <section class="panel proposals-panel" aria-labelledby="proposals-title">
                <h2 id="proposals-title">Open proposals <span id="proposal-count" class="count">0</span></h2>
                <ul id="proposals" class="proposal-list"></ul>
              </section>

              <section aria-labelledby="workloads-title">
                <h2 id="workloads-title">Workloads</h2>
                <div id="workloads" class="cards">
                  <p class="empty">Waiting for the first evaluation…</p>
                </div>
              </section>


              <section class="panel" aria-labelledby="recent-title">
                <h2 id="recent-title">Recent actions</h2>
                <ol id="recent" class="timeline"></ol>
              </section>
            </div>

            <aside class="side sandbox-only" aria-label="Sandbox">
              <section class="panel hot" aria-labelledby="hot-title">
                <h2 id="hot-title">Start a hot event</h2>
                <form id="hot-form">
                  <label>Workload
                    <select id="hot-workload" name="workload" required></select>
                  </label>
                  <label>Traffic ×<output id="hot-multiplier-value">4</output>
                    <input id="hot-multiplier" name="multiplier" type="range" min="1.5" max="10" step="0.5" value="4">
                  </label>
                  <details>
                    <summary>Shape</summary>
                    <div class="shape">
                      <label>Ramp s<input id="hot-ramp" name="rampSeconds" type="number" min="0" max="21600" value="30"></label>
                      <label>Hold s<input id="hot-hold" name="holdSeconds" type="number" min="0" max="21600" value="300"></label>
                      <label>Decay s<input id="hot-decay" name="decaySeconds" type="number" min="0" max="21600" value="120"></label>
                    </div>
                  </details>
                  <button id="hot-start" type="submit" class="primary"><svg class="flame" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2 1-3.5 2-4.5 0 2 1 3 2 3 0-3-1-6 1-9.5z" fill="currentColor"/></svg>Start hot event</button>
                  <p id="hot-result" class="hint" role="status"></p>
                </form>
              </section>
              <section class="phone-wrap" aria-label="Emulated DingTalk phone">
                <div class="phone">
                  <div class="notch"></div>
                  <iframe id="phone" title="Emulated DingTalk phone"></iframe>
                </div>
                <p class="hint">The on-call group on an emulated DingTalk phone: cards arrive here and can be tapped.</p>
              </section>
            </aside>
          </main>

          <dialog id="login">
            <form id="login-form" method="dialog">
              <h2>Sign in to ScaleControl</h2>
              <p class="hint">The API needs a bearer token (viewer or higher). It stays in this browser only.</p>
              <input id="login-token" type="password" autocomplete="off" placeholder="token" required>
              <p id="login-error" class="error" role="alert"></p>
              <button type="submit" class="primary">Connect</button>
            </form>
          </dialog>

          <script src="/dashboard/dashboard.js"></script>
        </body>
        </html>
        """;
}
