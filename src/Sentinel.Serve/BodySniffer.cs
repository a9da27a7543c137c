namespace Sentinel.Serve;

/// <summary>The kinds of body the server takes (bundles on <c>/v1/bundles</c>, telemetry on <c>/v1/events</c>), with the inbox file suffix ingest recognises.</summary>
internal enum BodyKind
{
    Json,
    Zip,
    Gzip,
    Telemetry,
}

/// <summary>A check that sees the body chunk by chunk as it streams in; a failure refuses the upload.</summary>
internal abstract class BodyCheck
{
    /// <summary>Set on the first problem; the body is refused with it.</summary>
    public ApiError? Failure { get; protected set; }

    /// <summary>Nothing more to learn from further chunks (the streaming loop stops feeding).</summary>
    public bool Done { get; protected set; }

    public abstract void Feed(ReadOnlySpan<byte> chunk);

    /// <summary>At the end of the body.</summary>
    public abstract void Finish();
}

/// <summary>
/// Checks the first bytes of a body as they stream in: JSON must start with <c>{</c> or <c>[</c> after
/// whitespace, zip with <c>PK\x03\x04</c>, gzip with <c>1f 8b</c>. Decides as early as it can.
/// </summary>
internal sealed class BodySniffer(BodyKind kind) : BodyCheck
{
    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] GzipMagic = [0x1F, 0x8B];

    private int _seen;

    /// <summary>null while undecided; then true (good) or false (see <see cref="Problem"/>).</summary>
    public bool? Verdict { get; private set; }

    public string Problem { get; private set; } = "";

    public static string Extension(BodyKind kind) => kind switch
    {
        BodyKind.Json => "json",
        BodyKind.Zip => "zip",
        BodyKind.Telemetry => Ingest.InputDiscovery.TelemetrySuffix[1..],
        _ => "tar.gz",
    };

    public static BodyKind? FromContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var media = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return media switch
        {
            "application/json" => BodyKind.Json,
            "application/zip" or "application/x-zip-compressed" => BodyKind.Zip,
            "application/gzip" or "application/x-gzip" => BodyKind.Gzip,
            "application/x-ndjson" or "application/jsonl" or "application/ndjson" => BodyKind.Telemetry,
            _ => null,
        };
    }

    public override void Feed(ReadOnlySpan<byte> chunk)
    {
        foreach (var b in chunk)
        {
            if (Verdict is not null)
            {
                return;
            }

            switch (kind)
            {
                case BodyKind.Json:
                    if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
                    {
                        break;
                    }

                    if (b is (byte)'{' or (byte)'[')
                    {
                        Verdict = true;
                        Done = true;
                    }
                    else
                    {
                        Fail($"application/json body must start with '{{' or '[' (after whitespace); byte {_seen} is 0x{b:x2}");
                    }

                    break;
                default:
                    var magic = kind == BodyKind.Zip ? ZipMagic : GzipMagic;
                    if (b != magic[_seen])
                    {
                        Fail(kind == BodyKind.Zip
                            ? "application/zip body does not start with the zip signature PK\\x03\\x04"
                            : "application/gzip body does not start with the gzip signature 1f 8b");
                    }
                    else if (_seen == magic.Length - 1)
                    {
                        Verdict = true;
                        Done = true;
                    }

                    break;
            }

            _seen++;
        }
    }

    /// <summary>At the end of the body: anything still undecided is too short to be a bundle.</summary>
    public override void Finish()
    {
        if (Verdict is null)
        {
            Fail(_seen == 0 ? "empty body" : kind == BodyKind.Json ? "body holds only whitespace" : "body too short to be an archive");
        }
    }

    private void Fail(string problem)
    {
        Verdict = false;
        Done = true;
        Problem = problem;
        Failure = new ApiError("malformed_body", problem);
    }
}
