using System.Collections.Concurrent;

namespace Sentinel.Aggregate;

/// <summary>The SQL of the aggregate stage, kept in <c>Aggregate/Sql/*.sql</c> and embedded in the assembly.</summary>
internal static class SqlText
{
    private static readonly ConcurrentDictionary<string, string> Cache = new(StringComparer.Ordinal);

    public static string Get(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(SqlText).Assembly.GetManifestResourceStream($"sql/{n}.sql")
            ?? throw new InvalidOperationException($"embedded SQL '{n}.sql' is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });
}
