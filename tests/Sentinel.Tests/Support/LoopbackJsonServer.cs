using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sentinel.Tests.Support;

/// <summary>
/// The HTTP part of the fake servers (GitHub, an OpenAI-compatible endpoint): listens on
/// http://127.0.0.1:&lt;free port&gt;/, reads each request's body, asks the handler for the answer and writes it.
/// A client that gives up (a timeout test) or a stopping server aborts the response quietly.
/// </summary>
public sealed class LoopbackJsonServer : IDisposable
{
    /// <summary>Answers one request; may set response headers and wait (with <c>stop</c>) before answering.</summary>
    public delegate Task<JsonReply> Handler(HttpListenerRequest request, string body, HttpListenerResponse response, CancellationToken stop);

    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Handler _handler;
    private readonly string _contentType;
    private readonly Task _loop;

    public LoopbackJsonServer(Handler handler, string contentType = "application/json")
    {
        _handler = handler;
        _contentType = contentType;

        // HttpListener cannot bind port 0: take a free port from the OS, then listen on it.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                _listener.Start();
                BaseUrl = $"http://127.0.0.1:{port}";
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public string BaseUrl { get; }

    /// <summary>One answer: HTTP status and JSON body.</summary>
    public sealed record JsonReply(int Status, string Json);

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }

            var reply = await _handler(context.Request, body, context.Response, _stop.Token);
            var bytes = Encoding.UTF8.GetBytes(reply.Json);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = _contentType;
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes, _stop.Token);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            try
            {
                context.Response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
