using Nabla.Syntax;

namespace Nabla.Diagnostics;

/// <summary>The error codes of the contract (docs/language.md, section 5).</summary>
public static class ErrorCodes
{
    /// <summary>A request the contract does not allow: a bad option, type or value.</summary>
    public const string BadRequest = "bad_request";
    /// <summary>Text that does not parse, with the place.</summary>
    public const string ParseError = "parse_error";
    /// <summary>A call of a function the language does not have.</summary>
    public const string UnknownFunction = "unknown_function";
    /// <summary>Names that can be typed in more than one way, none preferred.</summary>
    public const string AmbiguousType = "ambiguous_type";
    /// <summary>Shapes that do not fit: a sum of a vector and a matrix, a product whose inner sizes differ.</summary>
    public const string ShapeError = "shape_error";
    /// <summary>A derivative Nabla cannot take (a function of the variable with no derivative rule, or not one given yet).</summary>
    public const string NotDifferentiable = "not_differentiable";
    /// <summary>Something valid that this version does not do yet.</summary>
    public const string Unsupported = "unsupported";
    /// <summary>A value outside a function's domain (log of a negative entry, logdet of a matrix with a negative determinant).</summary>
    public const string DomainError = "domain_error";
    /// <summary>A request over a size or time budget.</summary>
    public const string LimitExceeded = "limit_exceeded";
    /// <summary>A malformed model formula (contract v1.4), with the place.</summary>
    public const string FormulaError = "formula_error";
    /// <summary>A bug in Nabla (contract v1.1): the request was fine, the engine failed; please report it.</summary>
    public const string InternalError = "internal_error";
}

/// <summary>A problem with the user's input: a contract code, a message a person understands, and where.</summary>
public sealed record Diagnostic(string Code, string Message, TextSpan? Span = null)
{
    /// <summary>The code, the place when known, and the message.</summary>
    public override string ToString() => Span is { } s ? $"{Code} at {s.Start}..{s.End}: {Message}" : $"{Code}: {Message}";
}

/// <summary>Thrown by every stage for bad input; front ends turn it into an error response.</summary>
public sealed class NablaException(Diagnostic diagnostic) : Exception(diagnostic.Message)
{
    /// <summary>The problem, with its code and place.</summary>
    public Diagnostic Diagnostic { get; } = diagnostic;

    /// <summary>An exception for a new diagnostic of <paramref name="code"/>, <paramref name="message"/> and, where known, <paramref name="span"/>.</summary>
    public NablaException(string code, string message, TextSpan? span = null) : this(new Diagnostic(code, message, span)) { }

    /// <summary>The diagnostic inside an exception that wraps one (a comparer's exception inside a sort, say), or null.</summary>
    public static Diagnostic? Find(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
            if (x is NablaException n) return n.Diagnostic;
        return null;
    }
}
