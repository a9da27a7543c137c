using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Robustness;

internal enum Shape { Json, Directory, Zip, TarGz }

/// <summary>One file of a bundle: the single file, a directory's file, or an archive entry (a name ending in '/' is a folder entry).</summary>
internal sealed record Member(string Name, byte[] Bytes);

/// <summary>A real corpus bundle, held in memory as its members so it can be damaged and written back in its own shape.</summary>
internal sealed record SourceBundle(string Name, Shape Shape, IReadOnlyList<Member> Members)
{
    public bool IsArchive => Shape is Shape.Zip or Shape.TarGz;

    public override string ToString() => Name;
}

internal enum MutationKind
{
    /// <summary>Cut a member (or, raw, the archive itself) at a random byte.</summary>
    Truncate,

    /// <summary>Replace a random JSON value with a value of another type.</summary>
    FlipType,

    /// <summary>Replace a random JSON value with arrays/objects nested past (or right at) the depth limit.</summary>
    Deepen,

    /// <summary>Replace a random JSON value with a string of up to 8 MiB.</summary>
    HugeString,

    /// <summary>Put invalid UTF-8 inside a random JSON string (or, raw, anywhere).</summary>
    InvalidUtf8,

    /// <summary>Flip the bits of one random byte of a member (or, raw, of the archive).</summary>
    CorruptByte,

    /// <summary>Archives: add an entry with a random name (unsafe, nested, hidden, duplicate, huge...).</summary>
    ExtraEntry,

    /// <summary>Archives: rename an entry.</summary>
    RenameEntry,

    /// <summary>Archives: drop an entry.</summary>
    DropEntry,

    /// <summary>Archives: add many small entries (past the entry limit).</summary>
    ManyEntries,

    /// <summary>Put a planted secret into a field the ingester keeps (a value, a timing key or a catalog code).</summary>
    TransplantSecret,
}

/// <summary>One generated damage to one corpus bundle; every number is from the generator, so a seed replays it.</summary>
internal sealed record FuzzCase(SourceBundle Bundle, MutationKind Kind, double Where, double Which, int Size, int Variant, bool Raw)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind} of {Bundle.Name} ({Bundle.Shape}): where={Where:F5} which={Which:F4} size={Size} variant={Variant} raw={Raw}");
}

/// <summary>Loads the corpus bundles and applies <see cref="FuzzCase"/>s to them, writing the damaged upload to disk.</summary>
internal static class BundleMutator
{
    public static readonly MutationKind[] ContentKinds =
    [
        MutationKind.Truncate, MutationKind.FlipType, MutationKind.Deepen, MutationKind.HugeString,
        MutationKind.InvalidUtf8, MutationKind.CorruptByte,
    ];

    public static readonly MutationKind[] ArchiveKinds =
    [
        MutationKind.ExtraEntry, MutationKind.RenameEntry, MutationKind.DropEntry, MutationKind.ManyEntries,
    ];

    private static readonly Lazy<IReadOnlyList<SourceBundle>> CorpusBundles = new(() =>
        [.. Corpus.Bundles.Select(b => Load(b.GetProperty("path").GetString()!))]);

    private static readonly Lazy<IReadOnlyList<string>> TransplantableSecrets = new(LoadSecrets);

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 256 };

    /// <summary>Every good corpus bundle, in every shape the corpus has.</summary>
    public static IReadOnlyList<SourceBundle> All => CorpusBundles.Value;

    /// <summary>Planted secrets of the kinds the scrubber is documented to catch (see <see cref="LoadSecrets"/>).</summary>
    public static IReadOnlyList<string> Secrets => TransplantableSecrets.Value;

    // Replacement values for FlipType, by JSON type: one of another type is picked.
    private static readonly (char Kind, string Json)[] Flips =
    [
        ('n', "null"), ('b', "true"), ('b', "false"), ('#', "0"), ('#', "-1"), ('#', "1.5e308"), ('#', "18446744073709551616"),
        ('#', "1e999"), ('#', "-0.0"), ('s', "\"\""), ('s', "\"str\""), ('s', "\"2026-13-45T99:99:99Z\""), ('s', "\"\\u0000\\ud800\""),
        ('a', "[]"), ('a', "[1,\"a\",null,{}]"), ('o', "{}"), ('o', "{\"k\":{\"j\":[true]}}"),
    ];

    private static readonly byte[][] BadUtf8 =
    [
        [0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
    ];

    private static readonly string[] HugeUnits = ["A", "é", "😀", "\\u00e9", "\\\"", " "];

    private static readonly string[] ExtraNames =
    [
        "notes.txt", "README.md", "bundle.json", "events.jsonl", "x/bundle.json", "other/events.jsonl", "a/b/c/bundle.json",
        "../evil.txt", "/etc/passwd", "C:/evil.txt", "dir\\evil.txt", ".hidden", "__MACOSX/._bundle.json", "ünïcödé.json",
        new string('n', 300) + ".txt", "folder/", "./bundle.json", "a/../../evil.json",
    ];

    private static readonly string[] RenameTo =
    [
        "Bundle.json", "bundle.JSON", "bundle.json.bak", "events.json", "sub/{leaf}", "a/b/{leaf}", "./{leaf}", "../{leaf}",
        "{leaf}/", "/{leaf}", ".{leaf}", "{leaf} ", "x\\{leaf}",
    ];

    // Where the ingester reads the values it keeps (and so where a secret could slip through), as paths:
    // '[]' is any array element, '*' any catalog code or timing key. A JSON-lines event's root is "events[]".
    private static readonly HashSet<string> StoredPaths = new(StringComparer.Ordinal)
    {
        "smonitor_version", "generated_at", "python.version", "platform.system", "platform.machine", "runtime.run_id", "config.profile",
        "codes.*.title", "codes.*.user_hint", "codes.*.dev_hint", "codes.*.qa_hint", "codes.*.agent_hint", "codes.*.category",
        "events[].source", "events[].code", "events[].category", "events[].exception_type", "events[].run_id", "events[].level",
        "events[].timestamp", "events[].fingerprint", "events[].extra.library", "events[].extra.version", "events[].extra.project_name",
        "events[].extra.project_version", "events[].extra.package", "events[].extra.package_version",
    };

    private sealed record Slot(JsonNode? Parent, string? Key, int Index, JsonNode? Value, string Path);

    /// <summary>Writes the damaged upload under <paramref name="workDir"/>; <paramref name="notes"/> gets what was done, for failure messages.</summary>
    public static string Apply(FuzzCase c, string workDir, List<string> notes)
    {
        var members = c.Bundle.Members.Select(m => m with { }).ToList();
        var files = members.Select((m, i) => (m, i)).Where(x => !x.m.Name.EndsWith('/')).Select(x => x.i).ToList();
        var target = files[Math.Min(files.Count - 1, (int)(c.Which * files.Count))];
        var archiveRaw = c.Raw && c.Bundle.IsArchive && c.Kind is MutationKind.Truncate or MutationKind.CorruptByte or MutationKind.InvalidUtf8;

        switch (c.Kind)
        {
            case MutationKind.ExtraEntry:
                var extra = new Member(ExtraNames[c.Variant % ExtraNames.Length], ExtraContent(c, members));
                members.Insert(Math.Min(members.Count, (int)(c.Where * (members.Count + 1))), extra);
                notes.Add($"added entry '{extra.Name}' ({extra.Bytes.Length:N0} bytes)");
                break;
            case MutationKind.RenameEntry:
            {
                var leaf = members[target].Name.Split('/')[^1];
                var name = RenameTo[c.Variant % RenameTo.Length].Replace("{leaf}", leaf, StringComparison.Ordinal);
                notes.Add($"renamed entry '{members[target].Name}' to '{name}'");
                members[target] = members[target] with { Name = name };
                break;
            }

            case MutationKind.DropEntry:
                notes.Add($"dropped entry '{members[target].Name}'");
                members.RemoveAt(target);
                break;
            case MutationKind.ManyEntries:
                for (var i = 0; i < 17 + (c.Size % 24); i++)
                {
                    members.Add(new Member($"extra/{i:D3}.txt", Encoding.UTF8.GetBytes($"entry {i}\n")));
                }

                break;
            default:
                if (!archiveRaw)
                {
                    notes.Add($"in '{members[target].Name}':");
                    members[target] = members[target] with { Bytes = MutateContent(c, members[target], notes) };
                }

                break;
        }

        var path = Write(c.Bundle, members, workDir);
        if (archiveRaw)
        {
            notes.Add($"in the {c.Bundle.Shape} archive itself:");
            File.WriteAllBytes(path, MutateBytes(c, File.ReadAllBytes(path), notes));
        }

        return path;
    }

    private static byte[] ExtraContent(FuzzCase c, List<Member> members) => (c.Size % 5) switch
    {
        0 => [],
        1 => members.First(m => !m.Name.EndsWith('/')).Bytes, // a second copy of a real member
        2 => new byte[2 << 20], // 2 MiB of zeros: a compression ratio far past the limit
        3 => Encoding.UTF8.GetBytes("{\"events\": [}"),
        _ => RandomBytes(c.Size % 4096, c.Size),
    };

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Damages one member's bytes: through its JSON structure where the kind calls for it, else as bytes.</summary>
    private static byte[] MutateContent(FuzzCase c, Member member, List<string> notes)
    {
        var structural = c.Kind is MutationKind.FlipType or MutationKind.Deepen or MutationKind.HugeString or MutationKind.TransplantSecret
                         || (c.Kind == MutationKind.InvalidUtf8 && !c.Raw);
        if (!structural)
        {
            return MutateBytes(c, member.Bytes, notes);
        }

        return SpliceJson(member.Bytes, c, notes) ?? MutateBytes(c with { Kind = MutationKind.CorruptByte }, member.Bytes, notes);
    }

    private static byte[] MutateBytes(FuzzCase c, byte[] bytes, List<string> notes)
    {
        var at = (int)(c.Where * bytes.Length);
        switch (c.Kind)
        {
            case MutationKind.Truncate:
                notes.Add($"cut at byte {at:N0} of {bytes.Length:N0}");
                return bytes[..at];
            case MutationKind.InvalidUtf8:
                var bad = BadUtf8[c.Variant % BadUtf8.Length];
                notes.Add($"inserted {Convert.ToHexString(bad)} at byte {at:N0}");
                return [.. bytes[..at], .. bad, .. bytes[at..]];
            default:
                if (bytes.Length == 0)
                {
                    return [0xFF];
                }

                var copy = (byte[])bytes.Clone();
                copy[Math.Min(at, copy.Length - 1)] ^= (byte)(1 + (c.Variant % 255));
                notes.Add($"flipped bits {1 + (c.Variant % 255):X2} of byte {Math.Min(at, copy.Length - 1):N0}");
                return copy;
        }
    }

    /// <summary>
    /// Replaces one JSON value (or renames one key) of a JSON document or of one line of a JSON-lines
    /// file with the case's payload; null when the bytes are not JSON.
    /// </summary>
    private static byte[]? SpliceJson(byte[] bytes, FuzzCase c, List<string> notes)
    {
        var whole = TryParse(bytes);
        if (whole is not null)
        {
            return Splice(whole, c.Where, c, rootPath: "", notes);
        }

        // JSON lines: one line, chosen by the integer part of where × lines, the value by the fraction.
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        var candidates = lines.Select((l, i) => (l, i)).Where(x => x.l.Trim().Length > 0).Select(x => x.i).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var scaled = c.Where * candidates.Count;
        var line = candidates[Math.Min(candidates.Count - 1, (int)scaled)];
        var node = TryParse(Encoding.UTF8.GetBytes(lines[line]));
        if (node is null)
        {
            return null;
        }

        notes.Add($"line {line + 1}:");
        var spliced = Splice(node, scaled - Math.Floor(scaled), c, rootPath: "events[]", notes);
        var before = Encoding.UTF8.GetBytes(string.Join('\n', lines[..line]) + (line > 0 ? "\n" : ""));
        var after = Encoding.UTF8.GetBytes((line < lines.Length - 1 ? "\n" : "") + string.Join('\n', lines[(line + 1)..]));
        return [.. before, .. spliced, .. after];
    }

    private static JsonNode? TryParse(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Splice(JsonNode root, double where, FuzzCase c, string rootPath, List<string> notes)
    {
        const string Placeholder = "\u0001fuzz-placeholder\u0001";
        if (c.Kind == MutationKind.TransplantSecret && !c.Raw && root is JsonObject { } bundle && bundle["codes"] is JsonObject codes)
        {
            // The corpus catalogs carry no category; give each entry a harmless one so that field is a target too.
            foreach (var (_, entry) in codes)
            {
                if (entry is JsonObject e && !e.ContainsKey("category"))
                {
                    e["category"] = "general";
                }
            }
        }

        var slots = new List<Slot>();
        Collect(root, null, null, -1, rootPath, slots);

        if (c.Kind == MutationKind.TransplantSecret)
        {
            var secret = Secrets[c.Variant % Secrets.Count];
            var keys = slots.Where(s => s.Path is "codes.*" or "report.timings.*").ToList();
            if (c.Raw && keys.Count > 0)
            {
                // A catalog code or a timing key renamed to carry the secret (MSM-<secret>, molsysmt.<secret>).
                var (parent, key, _, value, _) = keys[Math.Min(keys.Count - 1, (int)(where * keys.Count))];
                var obj = (JsonObject)parent!;
                obj.Remove(key!);
                var prefix = key!.Split('.', '-')[0];
                var renamed = $"{prefix}{(key.Contains('.', StringComparison.Ordinal) ? '.' : '-')}{secret}";
                obj[renamed] = value;
                notes.Add($"renamed key '{key}' to '{renamed}'");
                return Encoding.UTF8.GetBytes(root.ToJsonString(Compact));
            }

            // Else a kept field's value: the field first (each equally likely), then one of its occurrences.
            var fields = slots.Where(s => StoredPaths.Contains(s.Path)).GroupBy(s => s.Path, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
            if (fields.Count > 0)
            {
                var scaled = where * fields.Count;
                slots = fields[Math.Min(fields.Count - 1, (int)scaled)];
                where = scaled - Math.Floor(scaled);
            }
        }

        var slot = slots[Math.Min(slots.Count - 1, (int)(where * slots.Count))];
        var payload = Payload(c, slot.Value);
        var preview = Encoding.UTF8.GetString(payload.AsSpan(0, Math.Min(payload.Length, 90)));
        notes.Add($"{(slot.Path.Length == 0 ? "the whole document" : slot.Path)} := {preview}{(payload.Length > 90 ? $"… ({payload.Length:N0} bytes)" : "")}");
        if (slot.Parent is null)
        {
            return payload; // the root itself
        }

        if (slot.Parent is JsonObject o)
        {
            o[slot.Key!] = Placeholder;
        }
        else
        {
            ((JsonArray)slot.Parent)[slot.Index] = Placeholder;
        }

        var text = Encoding.UTF8.GetBytes(root.ToJsonString(Compact));
        var marker = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Placeholder, Compact));
        var i = text.AsSpan().IndexOf(marker);
        return [.. text[..i], .. payload, .. text[(i + marker.Length)..]];
    }

    private static void Collect(JsonNode? node, JsonNode? parent, string? key, int index, string path, List<Slot> into)
    {
        into.Add(new Slot(parent, key, index, node, path));
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToList())
                {
                    var segment = path is "codes" or "report.timings" ? "*" : k;
                    Collect(v, o, k, -1, path.Length == 0 ? segment : $"{path}.{segment}", into);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    Collect(a[i], a, null, i, path + "[]", into);
                }

                break;
        }
    }

    private static byte[] Payload(FuzzCase c, JsonNode? original)
    {
        switch (c.Kind)
        {
            case MutationKind.FlipType:
            {
                var kind = original switch
                {
                    null => 'n',
                    JsonObject => 'o',
                    JsonArray => 'a',
                    _ => original.GetValueKind() switch
                    {
                        JsonValueKind.String => 's',
                        JsonValueKind.Number => '#',
                        JsonValueKind.True or JsonValueKind.False => 'b',
                        _ => 'n',
                    },
                };
                var others = Flips.Where(f => f.Kind != kind).ToList();
                return Encoding.UTF8.GetBytes(others[c.Variant % others.Count].Json);
            }

            case MutationKind.Deepen:
            {
                // Mostly far past the limit of 64; one case in four right around it.
                var depth = c.Variant % 4 == 0 ? 60 + (c.Size % 10) : 65 + (c.Size % 50_000);
                var (open, close) = c.Variant % 2 == 0 ? ("[", "]") : ("{\"d\":", "}");
                var sb = new StringBuilder((depth * (open.Length + 1)) + 1);
                for (var i = 0; i < depth; i++)
                {
                    sb.Append(open);
                }

                sb.Append('0');
                for (var i = 0; i < depth; i++)
                {
                    sb.Append(close);
                }

                return Encoding.UTF8.GetBytes(sb.ToString());
            }

            case MutationKind.HugeString:
            {
                var unit = HugeUnits[c.Variant % HugeUnits.Length];
                var bytes = 1024 + (c.Size % (8 << 20));
                var count = Math.Max(1, bytes / Encoding.UTF8.GetByteCount(unit));
                var sb = new StringBuilder((count * unit.Length) + 2).Append('"').Insert(1, unit, count).Append('"');
                return Encoding.UTF8.GetBytes(sb.ToString());
            }

            case MutationKind.InvalidUtf8:
                return [.. "\"ok "u8.ToArray(), .. BadUtf8[c.Variant % BadUtf8.Length], .. " ok\""u8.ToArray()];

            case MutationKind.TransplantSecret:
            {
                var secret = Secrets[c.Variant % Secrets.Count];
                // The secret alone, inside text, inside an identifier-like value, or as a version's local label.
                var text = (c.Size % 4) switch { 0 => secret, 1 => $"see {secret} now", 2 => $"molsysmt.{secret}", _ => $"0.1+{secret}" };
                return Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text, Compact));
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "not a structural mutation");
        }
    }

    /// <summary>Writes the members back in the bundle's own shape under <paramref name="workDir"/>; returns the upload path.</summary>
    private static string Write(SourceBundle bundle, List<Member> members, string workDir)
    {
        var path = Path.Combine(workDir, bundle.Name);
        switch (bundle.Shape)
        {
            case Shape.Json:
                File.WriteAllBytes(path, members.Single().Bytes);
                break;
            case Shape.Directory:
                Directory.CreateDirectory(path);
                foreach (var m in members)
                {
                    File.WriteAllBytes(Path.Combine(path, m.Name), m.Bytes);
                }

                break;
            case Shape.Zip:
            {
                using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
                foreach (var m in members)
                {
                    var entry = zip.CreateEntry(m.Name, CompressionLevel.Fastest);
                    if (!m.Name.EndsWith('/'))
                    {
                        using var s = entry.Open();
                        s.Write(m.Bytes);
                    }
                }

                break;
            }

            case Shape.TarGz:
            {
                using var file = File.Create(path);
                using var gzip = new GZipStream(file, CompressionLevel.Fastest);
                using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
                foreach (var m in members)
                {
                    var isDir = m.Name.EndsWith('/');
                    var entry = new PaxTarEntry(isDir ? TarEntryType.Directory : TarEntryType.RegularFile, m.Name);
                    if (!isDir)
                    {
                        entry.DataStream = new MemoryStream(m.Bytes);
                    }

                    tar.WriteEntry(entry);
                }

                break;
            }
        }

        return path;
    }

    private static SourceBundle Load(string relative)
    {
        var path = Corpus.PathOf(relative);
        var name = Path.GetFileName(path);
        if (Directory.Exists(path))
        {
            return new SourceBundle(name, Shape.Directory,
                [.. Directory.EnumerateFiles(path).Order(StringComparer.Ordinal).Select(f => new Member(Path.GetFileName(f), File.ReadAllBytes(f)))]);
        }

        if (name.EndsWith(".zip", StringComparison.Ordinal))
        {
            using var zip = ZipFile.OpenRead(path);
            return new SourceBundle(name, Shape.Zip, [.. zip.Entries.Select(e => new Member(e.FullName, ReadAll(e.FullName.EndsWith('/') ? null : e.Open())))]);
        }

        if (name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
        {
            var members = new List<Member>();
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry(copyData: true) is { } e)
            {
                members.Add(e.EntryType == TarEntryType.Directory
                    ? new Member(e.Name.TrimEnd('/') + "/", [])
                    : new Member(e.Name, ReadAll(e.DataStream)));
            }

            return new SourceBundle(name, Shape.TarGz, members);
        }

        return new SourceBundle(name, Shape.Json, [new Member(name, File.ReadAllBytes(path))]);
    }

    private static byte[] ReadAll(Stream? s)
    {
        if (s is null)
        {
            return [];
        }

        using (s)
        {
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
    }

    /// <summary>
    /// Planted secret values whose kind the scrubber is documented to catch. Left out: passwords and
    /// host names (a bare password or host name is indistinguishable from an identifier such as a code)
    /// and IPv4 addresses (1.2.3.4 is also a valid version, and versions are pattern-checked by design).
    /// </summary>
    private static List<string> LoadSecrets() =>
        [.. Corpus.Bundles.SelectMany(b => b.GetProperty("planted_pii").EnumerateArray())
            .Where(p => p.GetProperty("kind").GetString() is not ("password" or "hostname")
                        && !(p.GetProperty("kind").GetString() == "ip" && !p.GetProperty("value").GetString()!.Contains(':', StringComparison.Ordinal)))
            .Select(p => p.GetProperty("value").GetString()!)
            .Distinct()
            .Order(StringComparer.Ordinal)];
}
