using System.Text;
using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Codegen;

/// <summary>
/// NumPy: vectors and row vectors are 1-D arrays, matrices 2-D; <c>@</c>, <c>.T</c>, <c>np.outer</c>,
/// <c>np.linalg.solve</c> for <c>inv(A)*B</c>, broadcasting for <c>diag(v)*A</c>, <c>slogdet</c> for <c>logdet</c>,
/// and sigmoid, softplus, softmax and logsumexp that do not overflow.
/// </summary>
public class NumPyTarget : CodeTarget
{
    /// <summary>"numpy".</summary>
    public override string Name => "numpy";
    /// <summary>".py".</summary>
    public override string Extension => ".py";

    /// <summary>The module's name for the array library.</summary>
    protected virtual string Np => "np";

    private static readonly HashSet<string> PythonWords =
    [
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield", "np", "torch", "sys", "math", "float", "int", "len", "range", "print", "abs", "sum",
        "max", "min", "rng", "eps", "args", "kwargs", "point", "direction", "seed", "results", "worst", "base", "derivative",
        "plus", "minus", "predicted", "measured", "scale", "flat", "error",
    ];

    /// <summary>Python's keywords and builtins, the module names and the names the generated module itself uses.</summary>
    protected override IReadOnlySet<string> Reserved => PythonWords;

    /// <summary>A Python float literal; NaN and infinities through float(...).</summary>
    protected override string Number(double v) => Invariant(v) switch
    {
        "NaN" => "float('nan')",
        "Infinity" => "float('inf')",
        "-Infinity" => "-float('inf')",
        var s => s,
    };

    /// <summary>'*': NumPy's product of arrays is element-wise.</summary>
    protected override string ElementwiseTimes => "*";
    /// <summary>'/', element-wise and by a scalar alike.</summary>
    protected override string DivideToken(bool scalar) => "/";
    /// <summary>np.eye(n).</summary>
    protected override string EyeCode(string n) => $"{Np}.eye({n})";

    /// <summary>np.full of the fill's size with the scalar, as float64.</summary>
    protected override (string Code, int Level) FillCode(Fill f)
    {
        string size = f.Shape.Kind == ShapeKind.Matrix ? $"({DimName(f.Shape.Rows!.Value)}, {DimName(f.Shape.Cols!.Value)})"
            : DimName((f.Shape.Rows ?? f.Shape.Cols)!.Value);
        return ($"{Np}.full({size}, {Code(f.Value)}, dtype={Np}.float64)", Primary); // float: an integer array's sum ** -1 is an error
    }

    /// <summary>'**', with the operand bracketed as Python's precedence needs.</summary>
    protected override (string Code, int Level) PowerCode(Expr b, Expr exponent)
    {
        // Python's ** binds tighter than unary minus on its left and takes a unary operand on its right.
        if (exponent is Num { Value: 2 }) return (Code(b, Primary) + "**2", Pow);
        return (Code(b, Primary) + "**" + Code(exponent, Exponent(exponent)), Pow);
    }

    private static int Exponent(Expr e) => e is Num { Value: < 0 } ? Unary : Primary;

    /// <summary>np.linalg.matrix_power(A, k).</summary>
    protected override string MatPowCode(string a, int k) => $"{Np}.linalg.matrix_power({a}, {k})";

    /// <summary>A matrix's '.T'; a 1-D array unchanged (it has one orientation).</summary>
    protected override (string Code, int Level) TransposeCode(Expr x) =>
        x.Shape.Kind == ShapeKind.Matrix ? (Code(x, Primary) + ".T", Primary) : Write(x); // 1-D arrays have one orientation

    /// <summary>The module-level name of a helper the module defines: the name with a leading '_'.</summary>
    protected virtual string Helper(string name) => "_" + name;

    /// <summary>The code of a function's argument (torch wraps a constant, which its functions do not take).</summary>
    protected virtual string ArgumentCode(Expr arg) => Code(arg);

    /// <summary>The NumPy form of a one-argument op: a NumPy function, or a stable helper (sigmoid, softmax, logsumexp, logdet, …).</summary>
    protected override (string Code, int Level) CallCode(string op, Expr arg)
    {
        string a = ArgumentCode(arg);
        string F(string f) => $"{f}({a})";
        return (op switch
        {
            "exp" or "log" or "sin" or "cos" or "tan" or "arcsin" or "arccos" or "arctan" or "tanh" or "sqrt" or "abs" or "sign"
                => F($"{Np}.{op}"),
            "sigmoid" => F(Helper("sigmoid")),
            "softplus" => $"{Np}.logaddexp(0.0, {a})",
            "log1p" or "expm1" or "cosh" or "sinh" => F($"{Np}.{op}"),
            "erf" => F(Helper("erf")),
            "gelu" => F(Helper("gelu")),
            "mean" => F($"{Np}.mean"),
            "expm" or "logm" or "sqrtm" => F(Helper(op)),
            "relu" => $"{Np}.maximum({a}, 0.0)",
            "step" => $"{Np}.heaviside({a}, 0.0)",
            "tr" => F($"{Np}.trace"),
            "det" => F($"{Np}.linalg.det"),
            "logdet" => F(Helper("logdet")),
            "inv" => F($"{Np}.linalg.inv"),
            "adj" => F(Helper("adj")),
            "diag" => F($"{Np}.diag"),
            "sum" => F($"{Np}.sum"),
            "norm2" => F($"{Np}.linalg.norm"),
            "norm1" => $"{Np}.sum({Np}.abs({a}))",
            "softmax" => F(Helper("softmax")),
            "logsumexp" => F(Helper("logsumexp")),
            _ => throw new NablaException(ErrorCodes.Unsupported, $"{op} has no {Name} form yet"),
        }, Primary);
    }

    /// <summary>The Fréchet derivatives expm_frechet, logm_frechet and sqrtm_frechet through the module's helpers.</summary>
    protected override (string Code, int Level) CallCode(string op, Expr a, Expr b) => op switch
    {
        "expm_frechet" => ($"{Helper("expm_frechet")}({ArgumentCode(a)}, {ArgumentCode(b)})", Primary),
        "logm_frechet" or "sqrtm_frechet" => ($"{Helper("frechet")}({Helper(op[..^"_frechet".Length])}, {ArgumentCode(a)}, {ArgumentCode(b)})", Primary),
        _ => base.CallCode(op, a, b),
    };

    /// <summary>np.sum(a * b).</summary>
    protected override string SumOfProduct((string Code, int Level) a, (string Code, int Level) b) =>
        $"{Np}.sum({Wrap(a, Product)} * {Wrap(b, Pow)})";

    /// <summary>The outer product of two vectors: np.outer(a, b).</summary>
    protected virtual string Outer(string a, string b) => $"{Np}.outer({a}, {b})";
    /// <summary>inv(A)·B as a solve: np.linalg.solve(A, B).</summary>
    protected virtual string Solve(string a, string b) => $"{Np}.linalg.solve({a}, {b})";

    /// <summary>'@', or an outer product, a broadcast for diag(v), or a solve for inv(A).</summary>
    protected override (string Code, int Level) MatrixProduct(ChainNode left, ChainNode right)
    {
        if (left.Cols is null) // column times row, or a 1×1 (an inner product) times anything
        {
            if (left.IsOneByOne || right.IsOneByOne || (left.Rows is null && right.Cols is null))
                return (Wrap(Node(left), Product) + " * " + Wrap(Node(right), Pow), Product);
            return (Outer(Node(left).Code, Node(right).Code), Primary);
        }
        if (DiagOfVector(left) is { } v)
            return right.IsMatrix
                ? (Code(v, Primary) + "[:, None] * " + Wrap(Node(right), Pow), Product)
                : (Code(v, Product) + " * " + Wrap(Node(right), Pow), Product);
        if (DiagOfVector(right) is { } u)
            return (Wrap(Node(left), Product) + " * " + Code(u, Pow), Product);
        if (InverseOf(left) is { } a)
            return (Solve(Code(a), Node(right).Code), Primary);
        if (InverseOf(right) is { } b)
            return left.IsMatrix
                ? (Solve(Code(b, Primary) + ".T", Wrap(Node(left), Primary) + ".T") + ".T", Primary)
                : (Solve(Code(b, Primary) + ".T", Node(left).Code), Primary);
        return (Wrap(Node(left), Product) + " @ " + Wrap(Node(right), Pow), Product);
    }

    // ----- the module -----

    /// <summary>The module's import line.</summary>
    protected virtual string Header => "import numpy as np";

    /// <summary>The helper definitions a module may call; <see cref="CodeTarget.UsedHelpers"/> keeps those it does.</summary>
    protected virtual string Helpers => """
        def _n(x):
            return np.asarray(x, dtype=np.float64)


        def _sigmoid(z):
            z = np.asarray(z, dtype=np.float64)
            e = np.exp(-np.abs(z))
            return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


        def _erf(z):
            # NumPy has no erf (SciPy's is not required): math.erf entry by entry.
            import math
            return np.vectorize(math.erf, otypes=[np.float64])(z)


        def _gelu(z):
            # z * Phi(z) = z * erfc(-z / sqrt(2)) / 2, accurate in the lower tail too.
            import math
            return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / np.sqrt(2.0))


        def _expm(A):
            # SciPy's expm (Al-Mohy and Higham 2009), imported only where a module uses it.
            import scipy.linalg
            return scipy.linalg.expm(A)


        def _expm_frechet(A, E):
            # The Frechet derivative L(A, E) of expm (Al-Mohy and Higham 2009, Algorithm 6.4).
            import scipy.linalg
            return scipy.linalg.expm_frechet(A, E, compute_expm=False)


        def _sqrtm(A):
            # SciPy's principal square root (Schur method); real where A has no eigenvalue on the closed negative axis.
            import scipy.linalg
            return np.real(scipy.linalg.sqrtm(A))


        def _logm(A):
            # SciPy's principal logarithm; real where A has no eigenvalue on the closed negative axis.
            import scipy.linalg
            return np.real(scipy.linalg.logm(A))


        def _frechet(f, A, E):
            # L_f(A, E) is the upper right block of f([A E; 0 A]), E scaled to A's norm (L is linear in E).
            n = A.shape[0]
            na, ne = np.abs(A).sum(axis=0).max(), np.abs(E).sum(axis=0).max()
            if ne == 0:
                return np.zeros_like(A)
            t = 2.0 ** round(np.log2(na / ne)) if na > 0 else 1.0
            M = np.zeros((2 * n, 2 * n))
            M[:n, :n] = A
            M[:n, n:] = t * E
            M[n:, n:] = A
            return f(M)[:n, n:] / t


        def _softmax(x):
            e = np.exp(x - np.max(x))
            return e / np.sum(e)


        def _logsumexp(x):
            m = np.max(x)
            return m + np.log(np.sum(np.exp(x - m)))


        def _logdet(A):
            sign, value = np.linalg.slogdet(A)
            if sign <= 0:
                raise ValueError("logdet needs a matrix with a positive determinant")
            return value


        def _adj(A):
            # The adjugate from the SVD A = U S V': det(U) det(V) V adj(S) U', which holds at singular A too.
            n = A.shape[0]
            if n == 1:
                return np.ones((1, 1))
            U, s, Vt = np.linalg.svd(A)
            p = np.array([np.prod(np.delete(s, i)) for i in range(n)])
            return np.linalg.det(U) * np.linalg.det(Vt) * (Vt.T * p) @ U.T
        """;

    /// <summary>Converts a parameter to the target's array type, as a statement.</summary>
    protected virtual string Convert(string name, Var v) =>
        v.Shape.IsScalar ? $"{name} = np.float64({name})" : $"{name} = np.asarray({name}, dtype=np.float64)";

    /// <summary>The shape tuple of the array named <paramref name="name"/>.</summary>
    protected virtual string ShapeOf(string name) => $"{name}.shape";
    /// <summary>A line put above the function's definition; none for NumPy.</summary>
    protected virtual string Decorator => "";

    /// <summary>A Python module: the function with its shape checks, the derivative check and a main that runs it at a random point.</summary>
    public override string Emit(CodeRequest r)
    {
        BeginNames(r);
        var helperNames = new[] { "_n", "_t", "_sigmoid", "_erf", "_gelu", "_expm", "_expm_frechet", "_sqrtm", "_logm", "_frechet", "_softmax", "_logsumexp", "_logdet", "_adj", "_check", "_random_point", "check_" + r.FunctionName, r.FunctionName };
        foreach (var h in helperNames) Fresh(h);
        foreach (var v in r.Variables) NameOf(v.Name);
        var program = Program(r);
        CheckDims(r, program);
        var outputs = OutputNames(r);
        var pars = string.Join(", ", r.Variables.Select(v => NameOf(v.Name)));
        var sb = new StringBuilder();
        sb.Append($"\"\"\"Generated by Nabla from: {r.Source.Replace("\\", "\\\\").Replace("\"\"\"", "\\\"\\\"\\\"")}\n\n");
        sb.Append($"{r.FunctionName}({pars}) returns the value");
        foreach (var d in r.Derivatives) sb.Append($", the {Derivatives.KindName(d.Kind)} with respect to {d.Wrt.Name}");
        sb.Append(".\nRun this file to check the derivatives by central differences at a random point.\n\"\"\"\n");
        sb.Append(Header).Append("\n\n\n");
        int helpersAt = sb.Length;
        if (Decorator.Length > 0) sb.Append(Decorator).Append('\n');
        sb.Append($"def {r.FunctionName}({pars}):\n");
        sb.Append($"    \"\"\"{string.Join("; ", r.Variables.Select(v => $"{NameOf(v.Name)}: {Describe(v.Shape)}{(v.Symmetric ? " symmetric" : "")}"))}.\"\"\"\n");
        foreach (var v in r.Variables)
        {
            string n = NameOf(v.Name);
            sb.Append($"    {Convert(n, v)}\n");
            int ndim = v.Shape.Kind switch { ShapeKind.Scalar => 0, ShapeKind.Matrix => 2, _ => 1 };
            sb.Append($"    assert {n}.ndim == {ndim}, f\"{n} must be a {Describe(v.Shape)}, got {{{n}.ndim}} dimensions\"\n");
        }
        foreach (var (v, axis, dim) in Axes(r))
        {
            string n = NameOf(v.Name);
            if (DeclareDim(dim, out var local)) sb.Append($"    {local} = {ShapeOf(n)}[{axis}]\n");
            else
            {
                string want = DimName(dim);
                sb.Append($"    assert {ShapeOf(n)}[{axis}] == {want}, f\"{n} must be a {Describe(v.Shape)} with {dim.Name} = {{{want}}}, got shape {{tuple({ShapeOf(n)})}}\"\n");
            }
        }
        foreach (var (name, code) in Statements(program, outputs)) sb.Append($"    {name} = {code}\n");
        sb.Append($"    return {string.Join(", ", outputs)}\n\n\n");
        sb.Append(CheckFunction(r, pars));
        sb.Append(Main(r, pars));
        string used = UsedHelpers(Helpers, sb.ToString(helpersAt, sb.Length - helpersAt),
            b => b.StartsWith("def ", StringComparison.Ordinal) ? b[4..b.IndexOf('(')] : "");
        if (used.Length > 0) sb.Insert(helpersAt, used + "\n\n\n");
        return sb.ToString();
    }

    /// <summary>The gradient check: each derivative against central differences of what it differentiates, in a random direction.</summary>
    protected virtual string CheckFunction(CodeRequest r, string pars)
    {
        var sb = new StringBuilder();
        sb.Append($"def check_{r.FunctionName}({pars}, seed=0, eps=1e-6):\n");
        sb.Append("    \"\"\"The largest relative error of the derivatives against central differences in a random direction.\"\"\"\n");
        sb.Append("    rng = np.random.default_rng(seed)\n");
        sb.Append($"    point = dict({string.Join(", ", r.Variables.Select(v => $"{NameOf(v.Name)}={NameOf(v.Name)}"))})\n");
        sb.Append($"    results = [_n(v) for v in {r.FunctionName}(**point)]\n");
        sb.Append("    worst = 0.0\n");
        for (int i = 0; i < r.Derivatives.Count; i++)
        {
            var d = r.Derivatives[i];
            string x = NameOf(d.Wrt.Name);
            sb.Append($"    # the {Derivatives.KindName(d.Kind)} with respect to {d.Wrt.Name}\n");
            sb.Append($"    base = _n(point[\"{x}\"])\n");
            sb.Append("    direction = rng.standard_normal(base.shape)\n");
            if (d.Wrt.Symmetric) sb.Append("    direction = (direction + direction.T) / 2\n");
            sb.Append($"    derivative = results[{i + 1}]\n");
            string h = d.Kind == DerivativeKind.Hessian ? "1e-4" : "eps";
            sb.Append($"    plus = _n({r.FunctionName}(**{{**point, \"{x}\": base + {h} * direction}})[0])\n");
            sb.Append($"    minus = _n({r.FunctionName}(**{{**point, \"{x}\": base - {h} * direction}})[0])\n");
            switch (d.Kind)
            {
                case DerivativeKind.Gradient:
                    sb.Append("    predicted = np.sum(derivative * direction)\n");
                    sb.Append("    measured = (plus - minus) / (2 * eps)\n");
                    break;
                case DerivativeKind.Jacobian:
                    sb.Append("    predicted = derivative @ direction.reshape(-1) if derivative.ndim == 2 else derivative * direction\n");
                    sb.Append("    measured = (plus - minus).reshape(-1) / (2 * eps)\n");
                    break;
                default:
                    sb.Append("    flat = direction.reshape(-1)\n");
                    sb.Append("    predicted = flat @ derivative @ flat if derivative.ndim == 2 else derivative * direction * direction\n");
                    sb.Append("    measured = (plus - 2 * results[0] + minus) / 1e-8\n");
                    break;
            }
            sb.Append("    scale = max(1.0, float(np.max(np.abs(predicted))), float(np.max(np.abs(measured))))\n");
            sb.Append("    worst = max(worst, float(np.max(np.abs(predicted - measured))) / scale)\n");
        }
        sb.Append("    return worst\n\n\n");
        return sb.ToString();
    }

    /// <summary>The module's random point and the main that checks the derivatives there.</summary>
    protected virtual string Main(CodeRequest r, string pars)
    {
        var sb = new StringBuilder();
        sb.Append("def _random_point(seed=0):\n");
        sb.Append("    \"\"\"Random values of consistent sizes, in the functions' domains (positive under log, SPD under logdet).\"\"\"\n");
        sb.Append("    rng = np.random.default_rng(seed)\n");
        var sizes = RandomSizes(r, "size_");
        foreach (var (dim, local) in sizes) sb.Append($"    {local} = int(rng.integers(2, 5))  # {dim.Name}\n");
        string S(Dim d) => d.IsKnown ? d.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : sizes[d];
        sb.Append("    point = {}\n");
        foreach (var v in r.Variables)
        {
            string n = NameOf(v.Name);
            string shape = v.Shape.Kind switch
            {
                ShapeKind.Scalar => "()",
                ShapeKind.Matrix => $"({S(v.Shape.Rows!.Value)}, {S(v.Shape.Cols!.Value)})",
                _ => $"({S((v.Shape.Rows ?? v.Shape.Cols)!.Value)},)",
            };
            sb.Append(DrawOf(r, v) switch
            {
                Draw.Spd => $"    B = rng.uniform(-1, 1, {shape})\n    point[\"{n}\"] = B @ B.T / B.shape[0] + np.eye(B.shape[0])\n",
                Draw.Symmetric => $"    B = rng.uniform(-1, 1, {shape})\n    point[\"{n}\"] = (B + B.T) / 2\n",
                Draw.Positive => $"    point[\"{n}\"] = rng.uniform(0.5, 1.5, {shape})\n",
                _ => $"    point[\"{n}\"] = rng.uniform(-1, 1, {shape})\n",
            });
        }
        sb.Append("    return point\n\n\n");
        sb.Append("if __name__ == \"__main__\":\n");
        sb.Append("    import sys\n");
        sb.Append("    point = _random_point()\n");
        sb.Append($"    print(\"value:\", {r.FunctionName}(**point)[0])\n");
        sb.Append($"    error = check_{r.FunctionName}(**point)\n");
        sb.Append("    print(f\"derivative check: largest relative error {error:.2e}\", \"(passed)\" if error < 1e-5 else \"(FAILED)\")\n");
        sb.Append("    sys.exit(0 if error < 1e-5 else 1)\n");
        return sb.ToString();
    }
}
