using System.Text.Json;
using Sentinel.Config;
using Sentinel.Ingest;
using Sentinel.Text;

namespace Sentinel.Aggregate;

/// <summary>
/// The maintainers' own catalogs (<c>libraries.&lt;name&gt;.catalog</c>: a smonitor catalog JSON file, either
/// <c>{"CODE": {"title": …}}</c> or a bundle-like <c>{"codes": {…}}</c>). A library with one gets its problem titles
/// from it only: uploads cannot name its problems (docs/privacy.md). Paths are relative to the working directory.
/// </summary>
internal static class RegisteredCatalog
{
    private const int MaxBytes = 4 << 20;
    private const int MaxTitle = 300;

    /// <summary>(library, code, title) of every registered catalog, and the libraries that have one.</summary>
    /// <exception cref="ConfigException">A catalog file is missing, too large or not a catalog (the message names it).</exception>
    public static (IReadOnlyList<(string Library, string Code, string Title)> Titles, IReadOnlyList<string> Libraries) Load(SentinelConfig config)
    {
        var titles = new List<(string, string, string)>();
        var libraries = new List<string>();
        foreach (var (name, library) in config.Libraries.Where(l => l.Value.Catalog is not null).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var path = library.Catalog!;
            libraries.Add(name);
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || info.Length > MaxBytes)
                {
                    throw new ConfigException($"libraries.{name}.catalog: {path}: {(info.Exists ? "larger than 4 MiB" : "no such file")}");
                }

                using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 16 });
                var codes = doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("codes", out var inner)
                    && inner.ValueKind == JsonValueKind.Object ? inner : doc.RootElement;
                if (codes.ValueKind != JsonValueKind.Object)
                {
                    throw new ConfigException($"libraries.{name}.catalog: {path}: not a JSON object of codes");
                }

                foreach (var entry in codes.EnumerateObject())
                {
                    if (!IdentifierGrammar.Matches("code", entry.Name) || entry.Value.ValueKind != JsonValueKind.Object
                        || !entry.Value.TryGetProperty("title", out var t) || t.ValueKind != JsonValueKind.String)
                    {
                        continue;
                    }

                    var title = new string([.. t.GetString()!.Where(c => !char.IsControl(c))]).Trim();
                    if (title.Length > 0 && Scrubber.Check(title) is null)
                    {
                        titles.Add((name, entry.Name, title.Length > MaxTitle ? title[..MaxTitle] + "…" : title));
                    }
                }
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"libraries.{name}.catalog: {path}: {e.Message}");
            }
        }

        return (titles, libraries);
    }
}
