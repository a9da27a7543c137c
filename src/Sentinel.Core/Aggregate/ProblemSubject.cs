namespace Sentinel.Aggregate;

/// <summary>
/// How a problem is named for people: its code; an uncoded one by its exception type and the function it comes from
/// (two uncoded problems of one exception type are told apart by their functions); else its trace hash.
/// </summary>
public static class ProblemSubject
{
    public static string Of(string? code, string? exceptionType, string? source, string traceHash) =>
        code ?? (exceptionType, source) switch
        {
            ({ } et, { } s) => $"{et} in {s}",
            ({ } et, null) => et,
            (null, { } s) => $"uncoded problem in {s}",
            _ => $"trace {traceHash}",
        };
}
