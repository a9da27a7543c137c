using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Sentinel.Tests.Support;

/// <summary>
/// One headless Chromium (Debian's, at <see cref="ChromiumPath"/>) shared by the tests of a class (use it
/// as a class fixture). Playwright drives it offline: no <c>playwright install</c>, no download. The
/// browser context emulates a machine with no network.
/// <para>
/// Visits are serialized and reuse one tab: loading plotly.js (1.2 MB) dominates a visit, and a fresh
/// context or tab per page costs several times more on a small CI machine. Each visit is a new document,
/// so nothing of one page's script state survives into the next.
/// </para>
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>
    /// <c>SENTINEL_CHROMIUM</c>, else the first of Debian's chromium and the Chromium/Chrome builds a hosted runner
    /// ships (ubuntu-latest has Google Chrome; its apt "chromium" is a snap stub). Never a downloaded browser.
    /// </summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("SENTINEL_CHROMIUM") is { Length: > 0 } given
        ? given
        : new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable" }
            .FirstOrDefault(File.Exists) ?? "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, object> _memo = new(StringComparer.Ordinal);
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IBrowserContext? _context;
    private IPage? _page;
    private PageVisit? _current;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ChromiumPath}: install Debian's chromium (apt-get install -y chromium; .ci/run does this) or set SENTINEL_CHROMIUM");
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        _context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Offline = true,
        });
    }

    /// <summary>
    /// Opens <paramref name="file"/> (a path on disk) as a file:// URL at the given viewport, waits for the
    /// load event and then (up to <paramref name="figureTimeoutMs"/>) for every <c>[data-figure]</c> element
    /// to get a <c>data-rendered</c> attribute. Never throws for what the page does: the caller asserts on
    /// the returned <see cref="PageVisit"/>, and must dispose it before the next visit starts.
    /// </summary>
    public async Task<PageVisit> VisitAsync(string file, int width = 1280, int height = 900, int figureTimeoutMs = 15_000)
    {
        await _gate.WaitAsync();
        try
        {
            var page = await PageAsync();
            if (page.ViewportSize is not { } size || size.Width != width || size.Height != height)
            {
                await page.SetViewportSizeAsync(width, height);
            }

            var visit = new PageVisit(file, page, () =>
            {
                Volatile.Write(ref _current, null);
                _gate.Release();
            });
            Volatile.Write(ref _current, visit);
            await LoadAsync(visit, figureTimeoutMs);
            return visit;
        }
        catch
        {
            Volatile.Write(ref _current, null);
            _gate.Release();
            throw;
        }
    }

    /// <summary>Runs <paramref name="make"/> once per key and shares its result (a survey of many pages is paid once per class).</summary>
    public Task<T> OnceAsync<T>(string key, Func<Task<T>> make) =>
        ((Lazy<Task<T>>)_memo.GetOrAdd(key, _ => new Lazy<Task<T>>(make))).Value;

    private static async Task LoadAsync(PageVisit visit, int figureTimeoutMs)
    {
        try
        {
            await visit.Page.GotoAsync(new Uri(Path.GetFullPath(visit.File)).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load, Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            visit.PageErrors.Enqueue($"navigation failed: {e.Message}");
            return;
        }

        try
        {
            await visit.Page.WaitForFunctionAsync(
                "() => Array.from(document.querySelectorAll('[data-figure]')).every(e => e.hasAttribute('data-rendered'))",
                null,
                new PageWaitForFunctionOptions { Timeout = figureTimeoutMs, PollingInterval = 25 });
            visit.FiguresSettled = true;
        }
        catch (TimeoutException)
        {
            visit.FiguresSettled = false;
        }
    }

    /// <summary>The shared tab, opened (again, after a crash) on demand; its events go to the current visit.</summary>
    private async Task<IPage> PageAsync()
    {
        if (_page is { IsClosed: false })
        {
            return _page;
        }

        var context = _context ?? throw new InvalidOperationException("the browser fixture is not initialized");
        var page = await context.NewPageAsync();
        page.Console += (_, m) => Volatile.Read(ref _current)?.Console.Enqueue(new ConsoleEntry(m.Type, m.Text, m.Location));
        page.PageError += (_, e) => Volatile.Read(ref _current)?.PageErrors.Enqueue($"{e}");
        page.Crash += (_, _) => Volatile.Read(ref _current)?.PageErrors.Enqueue("the page crashed");
        page.Request += (_, r) => Volatile.Read(ref _current)?.Requests.Enqueue(r.Url);
        page.RequestFailed += (_, r) => Volatile.Read(ref _current)?.FailedRequests.Enqueue($"{r.Url}: {r.Failure}");
        _page = page;
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _gate.Dispose();
    }
}

/// <summary>A console message as the page logged it: its type ("error", "warning", "log", ...), text and source location.</summary>
public sealed record ConsoleEntry(string Type, string Text, string Location)
{
    public override string ToString() => $"console.{Type} at {Location}: {Text}";
}

/// <summary>
/// What happened while a page loaded, plus the page itself for DOM queries until the visit is disposed.
/// Playwright raises its events on its own thread, hence the concurrent queues (enumerating one is a snapshot).
/// </summary>
public sealed class PageVisit(string file, IPage page, Action release) : IAsyncDisposable
{
    private int _released;

    public string File { get; } = file;

    public IPage Page { get; } = page;

    public ConcurrentQueue<ConsoleEntry> Console { get; } = new();

    public ConcurrentQueue<string> PageErrors { get; } = new();

    /// <summary>The URL of every request the page made (the document itself included).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<string> FailedRequests { get; } = new();

    /// <summary>Whether every <c>[data-figure]</c> element got a <c>data-rendered</c> attribute in time.</summary>
    public bool FiguresSettled { get; set; }

    public Task<T> EvalAsync<T>(string expression) => Page.EvaluateAsync<T>(expression);

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }

        return ValueTask.CompletedTask;
    }
}
