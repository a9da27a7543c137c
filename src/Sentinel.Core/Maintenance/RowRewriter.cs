using System.Globalization;
using DuckDB.NET.Data;
using Sentinel.Storage;

namespace Sentinel.Maintenance;

/// <summary>Rows removed from one table by a rewrite.</summary>
public sealed record TableChange(string Table, long RowsRemoved, int FilesRewritten, int FilesRemoved);

/// <summary>Drops the rows matching a condition from committed files, through a <see cref="LakeRewrite"/>.</summary>
internal static class RowRewriter
{
    /// <summary>
    /// Every file of <paramref name="files"/> holding a row that matches <paramref name="predicate"/> is
    /// replaced by a copy without those rows (or just removed when nothing is left).
    /// </summary>
    public static TableChange DropRows(DuckDBConnection db, LakeRewrite rewrite, string table, IReadOnlyList<string> files, string predicate, bool apply)
    {
        if (files.Count == 0)
        {
            return new TableChange(table, 0, 0, 0);
        }

        var affected = new List<(string File, long Total, long Dropped)>();
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = $"""
                SELECT filename, count(*) AS total, count(*) FILTER (WHERE {predicate}) AS dropped
                FROM {DuckDb.ReadParquetStored(files, withFileName: true)}
                GROUP BY filename HAVING count(*) FILTER (WHERE {predicate}) > 0
                ORDER BY filename
                """;
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                affected.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        int rewritten = 0, removed = 0;
        foreach (var (file, total, dropped) in affected)
        {
            if (apply)
            {
                if (dropped < total)
                {
                    var kept = rewrite.WriteParquet(db, file,
                        $"SELECT * FROM {DuckDb.ReadParquetStored([file])} WHERE NOT coalesce(({predicate}), false)");
                    if (kept != total - dropped)
                    {
                        throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                            $"{file}: rewrite kept {kept} rows, expected {total - dropped}; nothing was changed"));
                    }
                }

                rewrite.Supersede(file);
            }

            if (dropped < total)
            {
                rewritten++;
            }
            else
            {
                removed++;
            }
        }

        return new TableChange(table, affected.Sum(a => a.Dropped), rewritten, removed);
    }
}
