using System.Text;
using System.Text.Json;

namespace Sentinel.Ingest;

/// <summary>
/// Re-serialises JSON the way Python's <c>json.dumps(sort_keys=True, separators=(",", ":"))</c>
/// does (ensure_ascii on), so a fingerprint recomputed here matches smonitor's.
/// </summary>
internal static class PythonJson
{
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4"));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Canonical form of the value the reader is positioned on (consumes it).</summary>
    public static string Canonical(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return Quote(reader.GetString());
            case JsonTokenType.Number:
                return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return "null";
            case JsonTokenType.StartArray:
            {
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(Canonical(ref reader));
                }

                return "[" + string.Join(",", items) + "]";
            }

            case JsonTokenType.StartObject:
            {
                var members = new SortedDictionary<string, string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString() ?? "";
                    reader.Read();
                    members[key] = Canonical(ref reader);
                }

                return "{" + string.Join(",", members.Select(m => Quote(m.Key) + ":" + m.Value)) + "}";
            }

            default:
                return "null";
        }
    }
}
