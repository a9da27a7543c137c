using System.Text.RegularExpressions;

namespace Sentinel.Ingest;

/// <summary>
/// The strict shapes identifier fields must have to be stored (issue 15: grammars first, the scrubber second).
/// A value outside its grammar is dropped and counted as <c>invalid.&lt;field&gt;</c>.
/// </summary>
internal static partial class IdentifierGrammar
{
    /// <summary>Whether <paramref name="value"/> has the shape of <paramref name="field"/> (fields without a grammar pass).</summary>
    public static bool Matches(string field, string value) => field switch
    {
        // Upper-case dash-separated tokens (MSM-ERR-IO-002), or an exception-style class name (ExecutableNotFoundError).
        "code" => value.Length <= 64 && (Code().IsMatch(value) || ClassName().IsMatch(value)),
        // A lower-case word or snake_case/kebab-case name (io, deprecation, missing_dependency).
        "category" => value.Length <= 64 && Category().IsMatch(value),
        // A (dotted) Python class name (RuntimeError, numpy.linalg.LinAlgError).
        "exception_type" or "source" or "function" => DottedIdentifier().IsMatch(value),
        _ => true,
    };

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")]
    private static partial Regex Code();

    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*$")]
    private static partial Regex ClassName();

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*$")]
    private static partial Regex Category();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex DottedIdentifier();
}
