using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Semantics;

/// <summary>The kind of a declared variable.</summary>
public enum VarKind
{
    /// <summary>A scalar.</summary>
    Scalar,
    /// <summary>A column vector.</summary>
    Vector,
    /// <summary>A matrix.</summary>
    Matrix,
    /// <summary>A square matrix equal to its transpose.</summary>
    Symmetric,
}

/// <summary>(v1.4) The declared domain of a variable's values.</summary>
public enum VarDomain
{
    /// <summary>Any values.</summary>
    Any,
    /// <summary>Positive entries.</summary>
    Positive,
    /// <summary>A symmetric positive definite matrix.</summary>
    Spd,
    /// <summary>A symmetric positive semi-definite matrix.</summary>
    Psd,
}

/// <summary>
/// A declared type: <c>scalar</c>, <c>vector</c>, <c>vector(n)</c>, <c>matrix</c>, <c>matrix(m,n)</c>,
/// <c>symmetric</c> or <c>symmetric(n)</c>, (v1.4) with a domain: <c>… positive</c>, <c>spd</c>, <c>psd</c>.
/// Dimensions are symbols or sizes; absent ones are inferred.
/// </summary>

public sealed record VarType(VarKind Kind, string? Rows = null, string? Cols = null)
{
    /// <summary>The type <c>scalar</c>.</summary>
    public static VarType Scalar { get; } = new(VarKind.Scalar);

    /// <summary>(v1.4) The declared domain: entries positive ("vector positive"), or a symmetric positive (semi-)definite matrix ("spd", "psd").</summary>
    public VarDomain Domain { get; init; } = VarDomain.Any;

    /// <summary>Reads a declared type such as <c>vector(n)</c>, <c>matrix positive</c> or <c>spd(n)</c>; a bad type is a bad request.</summary>
    public static VarType Parse(string text)
    {
        var s = text.Trim();
        // (v1.4) domains: "scalar positive", "vector(n) positive", "matrix positive"; "spd", "spd(n)", "psd", "psd(n)"
        if (s.EndsWith(" positive", StringComparison.Ordinal))
        {
            var inner = Parse(s[..^" positive".Length]);
            if (inner.Kind == VarKind.Symmetric || inner.Domain != VarDomain.Any)
                throw Bad(text, "positive is for scalar, vector and matrix types (entry by entry); for matrices positive definite write spd");
            return inner with { Domain = VarDomain.Positive };
        }
        if (s.StartsWith("spd", StringComparison.Ordinal) || s.StartsWith("psd", StringComparison.Ordinal))
        {
            var inner = Parse("symmetric" + s[3..]);
            return inner with { Domain = s.StartsWith("spd", StringComparison.Ordinal) ? VarDomain.Spd : VarDomain.Psd };
        }
        int open = s.IndexOf('(');
        string word = (open < 0 ? s : s[..open]).Trim();
        string[] dims = [];
        if (open >= 0)
        {
            if (!s.EndsWith(')'))
                throw Bad(text, "a ')' is missing");
            dims = s[(open + 1)..^1].Split(',').Select(d => d.Trim()).ToArray();
            foreach (var d in dims)
                if (!IsDim(d))
                    throw Bad(text, $"'{d}' is not a dimension (a name such as n, or a positive whole number)");
        }
        VarType result = (word, dims.Length) switch
        {
            ("scalar", 0) => Scalar,
            ("vector", 0) => new VarType(VarKind.Vector),
            ("vector", 1) => new VarType(VarKind.Vector, dims[0]),
            ("matrix", 0) => new VarType(VarKind.Matrix),
            ("matrix", 2) => new VarType(VarKind.Matrix, dims[0], dims[1]),
            ("symmetric", 0) => new VarType(VarKind.Symmetric),
            ("symmetric", 1) => new VarType(VarKind.Symmetric, dims[0], dims[0]),
            ("scalar" or "vector" or "matrix" or "symmetric", _) => throw Bad(text, $"{word} takes {Expected(word)}"),
            _ => throw Bad(text, "the types are scalar, vector, vector(n), matrix, matrix(m,n), symmetric and symmetric(n), each optionally followed by positive (not symmetric), and spd, spd(n), psd, psd(n)"),
        };
        return result;
    }

    private static string Expected(string word) => word switch
    {
        "scalar" => "no dimensions",
        "vector" => "one dimension, as in vector(n)",
        "matrix" => "two dimensions, as in matrix(m,n)",
        _ => "one dimension, as in symmetric(n)",
    };

    private static bool IsDim(string d) =>
        d.Length > 0 && ((d.All(char.IsAsciiDigit) && int.TryParse(d, out int v) && v > 0)
                         || (char.IsAsciiLetter(d[0]) && d.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')));

    private static NablaException Bad(string text, string why) =>
        new(ErrorCodes.BadRequest, $"bad type '{text}': {why}");

    /// <summary>The type of a bound variable, with its dimension names (x: vector(n), S: symmetric(n)).</summary>
    public static VarType Of(Expressions.Var v) => v.Shape.Kind switch
    {
        LinearAlgebra.ShapeKind.Scalar => Scalar,
        LinearAlgebra.ShapeKind.Vector => new VarType(VarKind.Vector, v.Shape.Rows!.Value.Name),
        _ when v.Symmetric => new VarType(VarKind.Symmetric, v.Shape.Rows!.Value.Name, v.Shape.Rows!.Value.Name),
        _ => new VarType(VarKind.Matrix, v.Shape.Rows!.Value.Name, v.Shape.Cols!.Value.Name),
    };

    /// <summary>The kind a value of this shape has when nothing was declared.</summary>
    public static VarKind KindOf(ShapeKind kind) => kind switch
    {
        ShapeKind.Scalar => VarKind.Scalar,
        ShapeKind.Vector => VarKind.Vector,
        _ => VarKind.Matrix,
    };

    /// <summary>The type as it is declared: <c>vector(n)</c>, <c>matrix positive</c>, <c>spd(n)</c>.</summary>
    public override string ToString() => Domain switch
    {
        VarDomain.Positive => Base() + " positive",
        VarDomain.Spd => Rows is null ? "spd" : $"spd({Rows})",
        VarDomain.Psd => Rows is null ? "psd" : $"psd({Rows})",
        _ => Base(),
    };

    private string Base() => Kind switch
    {
        VarKind.Scalar => "scalar",
        VarKind.Vector => Rows is null ? "vector" : $"vector({Rows})",
        VarKind.Matrix => Rows is null ? "matrix" : $"matrix({Rows},{Cols})",
        _ => Rows is null ? "symmetric" : $"symmetric({Rows})",
    };

    /// <summary>(v1.4) Refuses a value outside the declared domain: an entry ≤ 0 for positive, a matrix that is not symmetric positive (semi-)definite for spd (psd).</summary>
    public void CheckValue(string name, LinearAlgebra.Tensor t)
    {
        switch (Domain)
        {
            case VarDomain.Positive:
                for (int i = 0; i < t.Length; i++)
                    if (!(t.Data[i] > 0))
                        throw new NablaException(ErrorCodes.DomainError, $"{name} is declared positive, but its entry {i + 1} is {t.Data[i].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}");
                break;
            case VarDomain.Spd or VarDomain.Psd:
            {
                int n = t.Rows;
                if (t.Cols != n) throw new NablaException(ErrorCodes.DomainError, $"{name} is declared {this}, but its value is {t.Rows}×{t.Cols}, not square");
                double trace = 0;
                for (int i = 0; i < n; i++) trace += Math.Abs(t.Data[i * n + i]);
                // psd: positive definite after a shift of 1e-10 of the mean diagonal; spd: without it
                double shift = Domain == VarDomain.Psd ? 1e-10 * Math.Max(trace / Math.Max(n, 1), 1e-300) : 0;
                var a = (double[])t.Data.Clone();
                for (int i = 0; i < n; i++) a[i * n + i] += shift;
                var chol = LinearAlgebra.Cholesky.Factor(a, n, 0);
                if (chol.Rank < n)
                    throw new NablaException(ErrorCodes.DomainError, $"{name} is declared {(Domain == VarDomain.Spd ? "spd" : "psd")}, but its value is not positive {(Domain == VarDomain.Spd ? "" : "semi-")}definite");
                break;
            }
        }
    }

    /// <summary>The naming convention (matrixcalculus.org's): a–g and Greek names scalar, h–z vector, A–Z matrix.</summary>
    public static VarKind Convention(string name)
    {
        if (GreekNames.Contains(name)) return VarKind.Scalar;
        char c = name[0];
        if (c is >= 'a' and <= 'g') return VarKind.Scalar;
        if (c is >= 'h' and <= 'z') return VarKind.Vector;
        return VarKind.Matrix;
    }

    /// <summary>The Greek letters' names, which <see cref="Convention"/> takes as scalars.</summary>
    public static readonly IReadOnlySet<string> GreekNames = new HashSet<string>
    {
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega",
    };
}
