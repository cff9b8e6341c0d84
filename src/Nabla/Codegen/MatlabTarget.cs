using System.Text;
using Nabla.Calculus;
using Nabla.Diagnostics;
using Nabla.Expressions;
using Nabla.LinearAlgebra;

namespace Nabla.Codegen;

/// <summary>
/// MATLAB and Octave: a function file whose first function computes the value and the derivatives (column vectors,
/// <c>'</c>, <c>.*</c>, <c>A\b</c> for <c>inv(A)*b</c>, implicit expansion for <c>diag(v)*A</c>); called with no
/// arguments it draws a random point and checks the derivatives by central differences.
/// </summary>
public sealed class MatlabTarget : CodeTarget
{
    /// <summary>"matlab".</summary>
    public override string Name => "matlab";
    /// <summary>".m".</summary>
    public override string Extension => ".m";

    private static readonly HashSet<string> Words =
    [
        "break", "case", "catch", "classdef", "continue", "else", "elseif", "end", "for", "function", "global", "if", "otherwise",
        "parfor", "persistent", "return", "spmd", "switch", "try", "while", "ans", "pi", "eps", "inf", "Inf", "nan", "NaN", "i", "j",
        "e", "ones", "zeros", "eye", "size", "sum", "max", "min", "abs", "exp", "log", "sqrt", "diag", "trace", "det", "inv", "norm",
        "sign", "tanh", "sin", "cos", "tan", "asin", "acos", "atan", "assert", "numel", "isequal", "double", "randn", "rand", "chol",
        "point", "direction", "results", "worst", "base", "plus", "minus", "predicted", "measured", "scale", "err", "varargin",
        "varargout", "nargin", "nargout", "nabla_B", "nabla_mode", "nabla_value", "lu", "svd", "prod", "reshape", "fprintf", "error", "true", "false", "disp",
        "erf", "erfc", "log1p", "expm1", "cosh", "sinh", "mean", "expm", "logm", "sqrtm",
    ];

    /// <summary>MATLAB's keywords and the builtins and local names the generated file uses.</summary>
    protected override IReadOnlySet<string> Reserved => Words;

    /// <summary>A MATLAB number literal: NaN, Inf, -Inf or the round-trippable value.</summary>
    protected override string Number(double v) => double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "Inf" : double.IsNegativeInfinity(v) ? "-Inf" : Invariant(v);
    /// <summary>'.*'.</summary>
    protected override string ElementwiseTimes => ".*";

    /// <summary>sum(sum(a .* b)).</summary>
    protected override string SumOfProduct((string Code, int Level) a, (string Code, int Level) b) =>
        $"sum(sum({Wrap(a, Product)} .* {Wrap(b, Pow)}))";
    /// <summary>'/' by a scalar, './' element-wise.</summary>
    protected override string DivideToken(bool scalar) => scalar ? "/" : "./";
    /// <summary>eye(n).</summary>
    protected override string EyeCode(string n) => $"eye({n})";

    /// <summary>ones(m, n), scaled by the fill's value unless it is 1.</summary>
    protected override (string Code, int Level) FillCode(Fill f)
    {
        string size = f.Shape.Kind switch
        {
            ShapeKind.Matrix => $"{DimName(f.Shape.Rows!.Value)}, {DimName(f.Shape.Cols!.Value)}",
            ShapeKind.Vector => $"{DimName(f.Shape.Rows!.Value)}, 1",
            _ => $"1, {DimName(f.Shape.Cols!.Value)}",
        };
        return f.Value is Num { Value: 1 } ? ($"ones({size})", Primary) : (Code(f.Value, Pow) + $" * ones({size})", Product);
    }

    /// <summary>'^' for a scalar base, '.^' otherwise.</summary>
    protected override (string Code, int Level) PowerCode(Expr b, Expr exponent) =>
        (Code(b, Primary) + (b.Shape.IsScalar ? "^" : ".^") + Code(exponent, exponent is Num { Value: < 0 } ? Unary : Primary), Pow);

    /// <summary>A^k.</summary>
    protected override string MatPowCode(string a, int k) => $"{a}^{k}";

    /// <summary>"'" for a vector or matrix; a scalar unchanged.</summary>
    protected override (string Code, int Level) TransposeCode(Expr x) =>
        x.Shape.IsScalar ? Write(x) : (Code(x, Primary) + "'", Primary);

    /// <summary>The MATLAB form of a one-argument op: a builtin, or a stable helper of the file (sigmoid, softmax, logsumexp, logdet, …).</summary>
    protected override (string Code, int Level) CallCode(string op, Expr arg)
    {
        string a = Code(arg);
        string F(string f) => $"{f}({a})";
        return (op switch
        {
            "exp" or "log" or "sin" or "cos" or "tan" or "tanh" or "sqrt" or "abs" or "sign" or "det" or "inv" or "diag" => F(op),
            "arcsin" => F("asin"),
            "arccos" => F("acos"),
            "arctan" => F("atan"),
            "sigmoid" => F("nabla_sigmoid"),
            "erf" or "log1p" or "expm1" or "cosh" or "sinh" => F(op),
            "gelu" => F("nabla_gelu"),
            "mean" => $"mean({a}(:))",
            "expm" or "logm" or "sqrtm" => F(op),
            "softplus" => F("nabla_softplus"),
            "relu" => $"max({a}, 0)",
            "step" => $"double({a} > 0)",
            "tr" => F("trace"),
            "logdet" => F("nabla_logdet"),
            "adj" => F("nabla_adj"),
            "sum" => $"sum(sum({a}))",
            "norm2" => $"norm({a}, 'fro')",
            "norm1" => $"sum(sum(abs({a})))",
            "softmax" => F("nabla_softmax"),
            "logsumexp" => F("nabla_logsumexp"),
            _ => throw new NablaException(ErrorCodes.Unsupported, $"{op} has no {Name} form yet"),
        }, Primary);
    }

    /// <summary>The Fréchet derivatives through the file's helpers.</summary>
    protected override (string Code, int Level) CallCode(string op, Expr a, Expr b) => op switch
    {
        "expm_frechet" => ($"nabla_expm_frechet({Code(a)}, {Code(b)})", Primary),
        "logm_frechet" or "sqrtm_frechet" => ($"nabla_frechet(@{op[..^"_frechet".Length]}, {Code(a)}, {Code(b)})", Primary),
        _ => base.CallCode(op, a, b),
    };

    /// <summary>'*', or implicit expansion for diag(v), '\' and '/' for inv(A).</summary>
    protected override (string Code, int Level) MatrixProduct(ChainNode left, ChainNode right)
    {
        if (left.Cols is not null)
        {
            if (DiagOfVector(left) is { } v) return (Code(v, Product) + " .* " + Wrap(Node(right), Pow), Product);
            if (DiagOfVector(right) is { } u) return (Wrap(Node(left), Product) + " .* " + Code(u, Primary) + ".'", Product);
            if (InverseOf(left) is { } a) return (Code(a, Product) + " \\ " + Wrap(Node(right), Pow), Product);
            if (InverseOf(right) is { } b) return (Wrap(Node(left), Product) + " / " + Code(b, Pow), Product);
        }
        return (Wrap(Node(left), Product) + " * " + Wrap(Node(right), Pow), Product);
    }

    private const string HelperText = """
        function s = nabla_sigmoid(z)
          e = exp(-abs(z));
          s = (z >= 0) ./ (1 + e) + (z < 0) .* e ./ (1 + e);
        end

        function L = nabla_expm_frechet(A, E)
          % L(A, E) is the upper right block of expm([A E; 0 A]) (Mathias 1996).
          n = size(A, 1);
          M = expm([A, E; zeros(n), A]);
          L = M(1:n, n+1:end);
        end

        function L = nabla_frechet(f, A, E)
          % L_f(A, E) is the upper right block of f([A E; 0 A]), E scaled to A's norm (L is linear in E).
          n = size(A, 1);
          na = norm(A, 1); ne = norm(E, 1);
          if ne == 0
            L = zeros(n);
            return;
          end
          t = 1;
          if na > 0
            t = 2 ^ round(log2(na / ne));
          end
          M = real(f([A, t * E; zeros(n), A]));
          L = M(1:n, n+1:end) / t;
        end

        function y = nabla_gelu(z)
          y = 0.5 * z .* erfc(-z / sqrt(2));
        end

        function y = nabla_softplus(z)
          y = max(z, 0) + log1p(exp(-abs(z)));
        end

        function s = nabla_softmax(x)
          e = exp(x - max(x));
          s = e / sum(e);
        end

        function y = nabla_logsumexp(x)
          m = max(x);
          y = m + log(sum(exp(x - m)));
        end

        function y = nabla_logdet(A)
          [L, U, P] = lu(A);
          d = diag(U);
          if det(P) * prod(sign(d)) <= 0
            error('logdet needs a matrix with a positive determinant');
          end
          y = sum(log(abs(d)));
        end

        function B = nabla_adj(A)
          % The adjugate from the SVD A = U S V': det(U) det(V) V adj(S) U', which holds at singular A too.
          n = size(A, 1);
          if n == 1
            B = 1;
            return;
          end
          [U, S, V] = svd(A);
          s = diag(S);
          p = zeros(n, 1);
          for k = 1:n
            p(k) = prod(s([1:k-1, k+1:n]));
          end
          B = det(U) * det(V) * (V .* p.') * U';
        end
        """;

    /// <summary>A MATLAB function file: the value and derivatives, and, called with no arguments, the check at a random point.</summary>
    public override string Emit(CodeRequest r)
    {
        BeginNames(r);
        string fn = r.FunctionName;
        Fresh(fn);
        foreach (var v in r.Variables) NameOf(v.Name);
        var program = Program(r);
        CheckDims(r, program);
        var outputs = OutputNames(r);
        var pars = string.Join(", ", r.Variables.Select(v => NameOf(v.Name)));
        var sb = new StringBuilder();
        sb.Append($"function [{string.Join(", ", outputs)}] = {fn}({pars}{(pars.Length > 0 ? ", " : "")}nabla_mode)\n");
        sb.Append($"% {fn.ToUpperInvariant()}  Generated by Nabla from: {r.Source}\n");
        sb.Append($"%   [{string.Join(", ", outputs)}] = {fn}({pars}) returns the value");
        foreach (var d in r.Derivatives) sb.Append($", the {Derivatives.KindName(d.Kind)} with respect to {d.Wrt.Name}");
        sb.Append(".\n");
        foreach (var v in r.Variables) sb.Append($"%   {NameOf(v.Name)}: {Describe(v.Shape)}{(v.Symmetric ? " symmetric" : "")}\n");
        sb.Append($"%   {fn}() with no arguments draws a random point and checks the derivatives by central differences;\n");
        sb.Append($"%   {fn}({pars}{(pars.Length > 0 ? ", " : "")}'check') returns the largest relative error of that check at the point given.\n");
        sb.Append("  if nargin == 0\n");
        sb.Append($"    nabla_main();\n");
        sb.Append("    return;\n  end\n");
        sb.Append($"  if nargin > {r.Variables.Count} && strcmp(nabla_mode, 'check')\n");
        sb.Append($"    {outputs[0]} = nabla_check({pars});\n");
        sb.Append("    return;\n  end\n");
        foreach (var (v, axis, dim) in Axes(r))
        {
            string n = NameOf(v.Name);
            if (DeclareDim(dim, out var local)) sb.Append($"  {local} = size({n}, {axis + 1});\n");
        }
        foreach (var v in r.Variables)
        {
            string n = NameOf(v.Name);
            string want = v.Shape.Kind switch
            {
                ShapeKind.Scalar => "[1 1]",
                ShapeKind.Vector => $"[{DimName(v.Shape.Rows!.Value)} 1]",
                ShapeKind.Row => $"[1 {DimName(v.Shape.Cols!.Value)}]",
                _ => $"[{DimName(v.Shape.Rows!.Value)} {DimName(v.Shape.Cols!.Value)}]",
            };
            sb.Append($"  assert(isequal(size({n}), {want}), '{n} must be a {Describe(v.Shape)}');\n");
        }
        foreach (var (name, code) in Statements(program, outputs)) sb.Append($"  {name} = {code};\n");
        sb.Append("end\n\n");
        sb.Append(CheckFunction(r, pars, outputs));
        sb.Append(MainFunction(r, pars));
        string used = UsedHelpers(HelperText.Replace("end\n\nfunction", "end\n\n\nfunction", StringComparison.Ordinal), sb.ToString(),
            b => b.StartsWith("function ", StringComparison.Ordinal) ? b[(b.IndexOf('=') + 1)..b.IndexOf('(')].Trim() : "");
        if (used.Length > 0) sb.Append(used.Replace("\n\n\n", "\n\n", StringComparison.Ordinal)).Append('\n');
        return sb.ToString();
    }

    private string CheckFunction(CodeRequest r, string pars, IReadOnlyList<string> outputs)
    {
        string fn = r.FunctionName;
        var sb = new StringBuilder();
        sb.Append($"function worst = nabla_check({pars})\n");
        sb.Append("% The largest relative error of the derivatives against central differences in a random direction.\n");
        sb.Append($"  results = cell(1, {outputs.Count});\n");
        sb.Append($"  [results{{:}}] = {fn}({pars});\n");
        sb.Append("  worst = 0;\n");
        for (int i = 0; i < r.Derivatives.Count; i++)
        {
            var d = r.Derivatives[i];
            string x = NameOf(d.Wrt.Name);
            string h = d.Kind == DerivativeKind.Hessian ? "1e-4" : "1e-6";
            sb.Append($"  % the {Derivatives.KindName(d.Kind)} with respect to {d.Wrt.Name}\n");
            sb.Append($"  base = {x};\n");
            sb.Append("  direction = randn(size(base));\n");
            if (d.Wrt.Symmetric) sb.Append("  direction = (direction + direction') / 2;\n");
            sb.Append($"  derivative = results{{{i + 2}}};\n");
            string Call(string sign)
            {
                var args = r.Variables.Select(v => v.Name == d.Wrt.Name ? $"base {sign} {h} * direction" : NameOf(v.Name));
                return $"{fn}({string.Join(", ", args)})";
            }
            sb.Append($"  plus = {Call("+")};\n");
            sb.Append($"  minus = {Call("-")};\n");
            switch (d.Kind)
            {
                case DerivativeKind.Gradient:
                    sb.Append("  predicted = sum(sum(derivative .* direction));\n");
                    sb.Append($"  measured = (plus - minus) / (2 * {h});\n");
                    break;
                case DerivativeKind.Jacobian:
                    sb.Append("  if numel(base) == 1\n    predicted = derivative(:) * direction;\n  else\n    predicted = derivative * direction(:);\n  end\n");
                    sb.Append($"  measured = (plus(:) - minus(:)) / (2 * {h});\n");
                    break;
                default:
                    sb.Append("  predicted = direction(:)' * derivative * direction(:);\n");
                    sb.Append("  measured = (plus - 2 * results{1} + minus) / 1e-8;\n");
                    break;
            }
            sb.Append("  scale = max([1, max(abs(predicted(:))), max(abs(measured(:)))]);\n");
            sb.Append("  worst = max(worst, max(abs(predicted(:) - measured(:))) / scale);\n");
        }
        sb.Append("end\n\n");
        return sb.ToString();
    }

    private string MainFunction(CodeRequest r, string pars)
    {
        var sb = new StringBuilder();
        sb.Append("function nabla_main()\n");
        sb.Append("% Random values of consistent sizes, in the functions' domains (positive under log, SPD under logdet), then the check.\n");
        var sizes = RandomSizes(r, "nabla_size");
        foreach (var (dim, local) in sizes) sb.Append($"  {local} = randi([2 4]);  % {dim.Name}\n");
        string S(Dim? d) => d is null ? "1" : d.Value.IsKnown ? d.Value.Size.ToString(System.Globalization.CultureInfo.InvariantCulture) : sizes[d.Value];
        foreach (var v in r.Variables)
        {
            string n = NameOf(v.Name);
            string shape = $"{S(v.Shape.Rows)}, {S(v.Shape.Cols)}";
            sb.Append(DrawOf(r, v) switch
            {
                Draw.Spd => $"  nabla_B = 2 * rand({shape}) - 1;\n  {n} = nabla_B * nabla_B' / size(nabla_B, 1) + eye(size(nabla_B, 1));\n",
                Draw.Symmetric => $"  nabla_B = 2 * rand({shape}) - 1;\n  {n} = (nabla_B + nabla_B') / 2;\n",
                Draw.Positive => $"  {n} = 0.5 + rand({shape});\n",
                _ => $"  {n} = 2 * rand({shape}) - 1;\n",
            });
        }
        sb.Append($"  nabla_value = {r.FunctionName}({pars});\n");
        sb.Append("  fprintf('value: %g\\n', nabla_value);\n");
        sb.Append($"  err = nabla_check({pars});\n");
        sb.Append("  if err < 1e-5\n    fprintf('derivative check: largest relative error %.2e (passed)\\n', err);\n");
        sb.Append("  else\n    error('derivative check: largest relative error %.2e (FAILED)', err);\n  end\nend\n\n");
        return sb.ToString();
    }
}
