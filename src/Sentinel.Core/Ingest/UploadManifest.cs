using System.Text;
using System.Text.Json;

namespace Sentinel.Ingest;

/// <summary>
/// The library versions an uploader declares for an upload (<c>POST /v1/bundles</c> with a
/// <c>Sentinel-Versions: molsysmt=0.10.0, topomt=1.2.0</c> header or <c>?versions=…</c>): the most
/// trusted version evidence after an operator's <c>--version</c> (docs/library-authors.md). Kept beside
/// the upload in <c>&lt;inbox&gt;/.versions/&lt;receipt&gt;.json</c>. Every pair has the strict shape
/// a lake partition needs (library grammar, PEP 440 public version) or the whole manifest is refused.
/// </summary>
public static class UploadManifest
{
    public const string Folder = ".versions";
    public const int MaxPairs = 16;
    public const int MaxTextLength = 1024;

    /// <summary>Parses <c>lib=ver[, lib=ver…]</c>; null with <paramref name="error"/> set when anything is off (nothing echoed).</summary>
    public static IReadOnlyDictionary<string, string>? Parse(string? text, out string? error)
    {
        error = null;
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
        {
            return map;
        }

        if (text.Length > MaxTextLength)
        {
            error = $"the version manifest is longer than {MaxTextLength} characters";
            return null;
        }

        var pairs = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (pairs.Length > MaxPairs)
        {
            error = $"the version manifest names more than {MaxPairs} libraries";
            return null;
        }

        for (var i = 0; i < pairs.Length; i++)
        {
            var eq = pairs[i].IndexOf('=', StringComparison.Ordinal);
            var lib = eq > 0 ? pairs[i][..eq].Trim() : "";
            var ver = eq > 0 ? pairs[i][(eq + 1)..].Trim() : "";
            if (!Names.IsLibrary(lib) || !Names.IsVersion(ver))
            {
                // The pair is not echoed: it is a stranger's text.
                error = $"version manifest pair {i + 1}: expected LIB=VER with a lowercase library name and a PEP 440 public version (no local label)";
                return null;
            }

            if (!map.TryAdd(lib, ver) && map[lib] != ver)
            {
                error = $"version manifest pair {i + 1}: library '{lib}' is given two versions";
                return null;
            }
        }

        return map;
    }

    /// <summary>Where the manifest of an inbox upload lives.</summary>
    public static string PathFor(string inbox, string receipt) => System.IO.Path.Combine(inbox, Folder, receipt + ".json");

    /// <summary>Writes the manifest of an upload (atomically; a manifest already there for the same bytes is kept).</summary>
    public static void Write(string inbox, string receipt, IReadOnlyDictionary<string, string> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (versions.Count == 0 || !InboxFiles.IsReceipt(receipt))
        {
            return;
        }

        var target = PathFor(inbox, receipt);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        var temp = target + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(versions));
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// The manifest of an inbox upload, validated again (the file sits in a folder others may write to);
    /// empty when there is none. A manifest that fails validation is ignored and reported through <paramref name="problem"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Read(string inbox, string receipt, out string? problem)
    {
        problem = null;
        var path = PathFor(inbox, receipt);
        if (!InboxFiles.IsReceipt(receipt) || !File.Exists(path))
        {
            return new Dictionary<string, string>();
        }

        try
        {
            var info = new FileInfo(path);
            if (info.Length > 4 * MaxTextLength)
            {
                problem = "the version manifest is too large";
                return new Dictionary<string, string>();
            }

            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "the version manifest is not a JSON object";
                return new Dictionary<string, string>();
            }

            var text = new StringBuilder();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    problem = "the version manifest has a non-string version";
                    return new Dictionary<string, string>();
                }

                text.Append(p.Name).Append('=').Append(p.Value.GetString()).Append(',');
            }

            var parsed = Parse(text.ToString(), out var error);
            problem = error;
            return parsed ?? new Dictionary<string, string>();
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            problem = "the version manifest cannot be read";
            return new Dictionary<string, string>();
        }
    }

    /// <summary>Removes the manifest of an upload (forget).</summary>
    public static void Delete(string inbox, string receipt)
    {
        if (InboxFiles.IsReceipt(receipt) && File.Exists(PathFor(inbox, receipt)))
        {
            File.Delete(PathFor(inbox, receipt));
        }
    }
}
