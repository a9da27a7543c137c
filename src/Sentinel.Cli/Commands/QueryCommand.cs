using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Sentinel.Cli.Output;
using Sentinel.Query;
using Spectre.Console;

namespace Sentinel.Cli.Commands;

internal static class QueryCommand
{
    public static Command Create()
    {
        var sql = new Argument<string>("SQL")
        {
            Description = "One read-only DuckDB query over the views events, performance, catalog, bundles and " +
                          "summary_libraries, summary_versions, summary_problems, summary_performance, summary_trends, " +
                          "summary_environments, summary_regressions.",
        };
        var format = new Option<string>("--format") { Description = "table, csv or json (an array of objects).", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var limit = new Option<int?>("--limit") { Description = "At most N rows (default: 200 for table, all for csv/json).", HelpName = "N" };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--limit must be at least 1");
            }
        });
        var command = new Command("query",
            "Run read-only SQL over the lake with embedded DuckDB. Writes, settings and multiple statements are refused. " +
            "Example: sentinel query \"SELECT library, version, count(*) AS events FROM events GROUP BY ALL ORDER BY events DESC\"")
        {
            sql, format, limit,
        };
        command.SetAction(parse => GlobalOptions.RunAsync(() =>
        {
            var fmt = parse.GetValue(format)!;
            try
            {
                var result = LakeQuery.Run(GlobalOptions.OpenLake(parse), parse.GetValue(sql)!, parse.GetValue(limit) ?? (fmt == "table" ? 200 : null));
                switch (fmt)
                {
                    case "csv":
                        WriteCsv(result);
                        break;
                    case "json":
                        WriteJson(result);
                        break;
                    default:
                        WriteTable(result);
                        break;
                }

                if (result.Truncated)
                {
                    Console.Error.WriteLine($"sentinel: showing the first {result.Rows.Count} rows; raise --limit for more");
                }

                return Task.FromResult(ExitCode.Success);
            }
            catch (QueryException e)
            {
                Console.Error.WriteLine($"sentinel: {e.Message}");
                return Task.FromResult(ExitCode.InvalidUsage);
            }
        }));
        return command;
    }

    private static void WriteTable(QueryResult r)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in r.Columns)
        {
            table.AddColumn(Markup.Escape(c));
        }

        foreach (var row in r.Rows)
        {
            table.AddRow(row.Select(v => Markup.Escape(Sentinel.Text.TerminalText.Safe(LakeQuery.Text(v)))).ToArray());
        }

        Terminal.Out.Write(table);
        Terminal.Out.MarkupLine($"[grey]{r.Rows.Count} row(s)[/]");
    }

    private static void WriteCsv(QueryResult r)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', r.Columns.Select(c => Sentinel.Text.CsvText.Cell(c))).Append('\n');
        foreach (var row in r.Rows)
        {
            sb.AppendJoin(',', row.Select(v => Sentinel.Text.CsvText.Cell(LakeQuery.Text(v), isText: v is string))).Append('\n');
        }

        Console.Out.Write(sb.ToString());
    }

    private static void WriteJson(QueryResult r)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var row in r.Rows)
            {
                w.WriteStartObject();
                for (var i = 0; i < row.Length; i++)
                {
                    w.WritePropertyName(r.Columns[i]);
                    WriteValue(w, row[i]);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        stream.WriteByte((byte)'\n');
    }

    private static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case double d when double.IsFinite(d):
                w.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                w.WriteNumberValue(f);
                break;
            case decimal m:
                w.WriteNumberValue(m);
                break;
            case long or int or short or sbyte or byte or ushort or uint or ulong or BigInteger:
                w.WriteRawValue(((IFormattable)v).ToString(null, CultureInfo.InvariantCulture));
                break;
            case string or DateTime or DateTimeOffset or DateOnly or TimeOnly or double or float:
                w.WriteStringValue(LakeQuery.Text(v));
                break;
            case IDictionary map:
                w.WriteStartObject();
                foreach (DictionaryEntry e in map)
                {
                    w.WritePropertyName(LakeQuery.Text(e.Key));
                    WriteValue(w, e.Value);
                }

                w.WriteEndObject();
                break;
            case IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(LakeQuery.Text(v));
                break;
        }
    }
}
