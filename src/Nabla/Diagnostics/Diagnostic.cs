using Nabla.Syntax;

namespace Nabla.Diagnostics;

/// <summary>The error codes of the contract (docs/language.md, section 5).</summary>
public static class ErrorCodes
{
    public const string BadRequest = "bad_request";
    public const string ParseError = "parse_error";
    public const string UnknownFunction = "unknown_function";
    public const string AmbiguousType = "ambiguous_type";
    public const string ShapeError = "shape_error";
    public const string NotDifferentiable = "not_differentiable";
    public const string Unsupported = "unsupported";
    public const string DomainError = "domain_error";
    public const string LimitExceeded = "limit_exceeded";
    /// <summary>A malformed model formula (contract v1.4), with the place.</summary>
    public const string FormulaError = "formula_error";
    /// <summary>A bug in Nabla (contract v1.1): the request was fine, the engine failed; please report it.</summary>
    public const string InternalError = "internal_error";
}

/// <summary>A problem with the user's input: a contract code, a message a person understands, and where.</summary>
public sealed record Diagnostic(string Code, string Message, TextSpan? Span = null)
{
    public override string ToString() => Span is { } s ? $"{Code} at {s.Start}..{s.End}: {Message}" : $"{Code}: {Message}";
}

/// <summary>Thrown by every stage for bad input; front ends turn it into an error response.</summary>
public sealed class NablaException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    public Diagnostic Diagnostic { get; } = diagnostic;

    public NablaException(string code, string message, TextSpan? span = null) : this(new Diagnostic(code, message, span)) { }

    /// <summary>The diagnostic inside an exception that wraps one (a comparer's exception inside a sort, say), or null.</summary>
    public static Diagnostic? Find(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is NablaException n) return n.Diagnostic;
        return null;
    }
}
