using Nabla.Calculus;
using Nabla.Api;
using Nabla.Numerics;
using Nabla.Ops;

namespace Nabla.Tests.Calculus;

/// <summary>
/// A finite-difference check for every function and operator of the language, composed into a scalar
/// objective where needed, for scalar, vector, matrix and symmetric-matrix variables; and the adjoint
/// identity for every linear rule.
/// </summary>
public class PerOpTests
{
    private const string D = "a:scalar; b:scalar; c:vector(n); x:vector(n); y:vector(n); C:matrix(n,n); X:matrix(n,n); Y:matrix(n,n); S:symmetric(n); A:matrix(n,n); B:matrix(n,n)";

    private static readonly string[] ElementwiseNames =
        ["exp", "log", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "tanh", "sqrt", "abs", "sign", "sigmoid", "softplus", "relu", "step",
         "erf", "log1p", "expm1", "cosh", "sinh", "gelu"];

    /// <summary>arcsin and arccos get a halved argument so that the domain-aware positive draw stays inside [-1, 1];
    /// log and sqrt of a symmetric variable get S.^2+1: RandomPoint draws symmetric matrices with
    /// entries of either sign even under log/sqrt (reported; Numerics is not ours to change here).</summary>
    private static string Arg(string f, string v) => f is "arcsin" or "arccos" ? $"{v}/2" : f is "log" or "sqrt" or "log1p" && v == "S" ? "S.^2+1" : v;

    public static TheoryData<string, string> Cases()
    {
        var d = new TheoryData<string, string>();
        foreach (var f in ElementwiseNames)
        {
            d.Add($"{f}({Arg(f, "a")})", "a");
            d.Add($"c'*{f}({Arg(f, "x")})", "x");
            d.Add($"sum(C.*{f}({Arg(f, "X")}))", "X");
            d.Add($"sum(C.*{f}({Arg(f, "S")}))", "S");
            d.Add($"b*{f}({Arg(f, "a")})+c'*{f}({Arg(f, "a*x")})", "a"); // scalar inside a vector argument
        }
        // Reductions and matrix functions.
        foreach (var v in new[] { "X", "S" })
        {
            d.Add($"tr(C*{v})", v);
            d.Add($"sum(C.*{v})", v);
            d.Add($"det({v})", v);
            d.Add($"logdet({v})", v);
            d.Add($"tr(C*inv({v}))", v);
            d.Add($"tr(C*adj({v}))", v);
            d.Add($"c'*diag({v})", v);
            d.Add($"norm1({v})", v);
            d.Add($"norm2({v})", v);
            d.Add($"sum({v})", v);
            d.Add($"tr({v})", v);
            d.Add($"trace(C*{v})", v);
            d.Add($"tr(C*expm({v}))", v);
            d.Add($"tr(C*expm_frechet(A, {v}))", v);
            d.Add($"tr(C*logm_frechet(eye+A*A', {v}))", v);
            d.Add($"tr(C*sqrtm_frechet(eye+A*A', {v}))", v);
            d.Add($"mean(C.*{v})+mean({v})^2", v);
            d.Add($"det(a*{v})", "a");
        }
        d.Add("tr(C*diag(x))", "x");
        d.Add("sum(x)", "x");
        d.Add("norm1(x)", "x");
        d.Add("norm2(x)", "x");
        d.Add("norm2(a)", "a");
        d.Add("norm1(a)", "a");
        d.Add("sum(a)", "a");
        d.Add("mean(x.*c)*pi", "x");
        d.Add("mean(a)", "a");
        d.Add("x'*expm(a*A)*x", "a");
        d.Add("x'*expm(A)*x", "x");
        foreach (var v in new[] { "X", "S" })
        {
            d.Add($"tr(C*logm(eye+{v}*{v}'))", v);
            d.Add($"tr(C*sqrtm(eye+{v}*{v}'))", v);
        }
        d.Add("tr(C*logm(eye+a^2*A*A'))", "a");
        d.Add("x'*sqrtm(eye+A*A')*x", "x");
        d.Add("c'*softmax(x)", "x");
        d.Add("logsumexp(x)", "x");
        d.Add("logsumexp(A*x)", "A");
        d.Add("c'*softmax(a*x)", "a");
        d.Add("c'*softmax(A*x)", "A");
        d.Add("c'*softmax(S*x)", "S");
        // Operators.
        d.Add("a*b+a-b", "a");
        d.Add("x'*(X+Y)*y", "X");
        d.Add("x'*(X-Y)*y", "Y");
        d.Add("x'*(S+Y)*y", "S");
        d.Add("a*b", "b");
        d.Add("x'*X*Y*y", "X");
        d.Add("x'*S*Y*y", "S");
        d.Add("x'*A*X*B*y", "X");
        d.Add("x'*y/a", "a");
        d.Add("x'*y/a", "x");
        d.Add("tr(X/b)", "X");
        d.Add("c'*(x.*y)", "x");
        d.Add("sum(X.*Y.*C)", "X");
        d.Add("sum(S.*Y)", "S");
        d.Add("c'*(x./y)", "y");
        d.Add("c'*(x./y)", "x");
        d.Add("sum(C.*(X./Y))", "Y");
        d.Add("sum(C.*(Y./S))", "S");
        d.Add("c'*(a.*x)", "a");
        d.Add("c'*(x./a)", "a");
        d.Add("a^b", "a");
        d.Add("a^b", "b");
        d.Add("a^3", "a");
        d.Add("c'*x.^3", "x");
        d.Add("sum(x.^b)", "b");
        d.Add("sum(C.*X.^2)", "X");
        d.Add("sum(C.*S.^3)", "S");
        d.Add("c'*(x')'", "x");
        d.Add("tr(C*X')", "X");
        d.Add("x'*X'*y", "X");
        d.Add("tr(C*X^3)", "X");
        d.Add("tr(C*S^2)", "S");
        d.Add("tr(C*X^-1)", "X");
        d.Add("tr(C*S^-1)", "S");
        d.Add("tr(C*X^-2)", "X");
        d.Add("tr(X^0*C)", "X");
        d.Add("<x,y>", "x");
        d.Add("<x,A*x>", "x");
        d.Add("dot(x,y)", "y");
        d.Add("dot(x,A*x)", "A");
        d.Add("x'*vector(a)", "a");
        d.Add("c'*(x+vector(a))", "x");
        d.Add("tr(C*matrix(a))", "a");
        d.Add("sum(C.*(X+matrix(a)))", "X");
        d.Add("tr(X+a*eye)", "a");
        d.Add("x'*(X+eye)*x", "X");
        d.Add("x'*(S+eye)*x", "S");
        d.Add("-a", "a");
        d.Add("-x'*y", "x");
        d.Add("a+x'*y", "a");
        d.Add("sum(x+a)", "a");
        d.Add("sum(X-b)", "b");
        return d;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_agrees_with_finite_differences(string expr, string wrt)
    {
        foreach (int seed in new[] { 1, 2 })
            CalcHelpers.DeriveAndCheck(expr, D, wrt, DerivativeKind.Gradient, tolerance: 1e-5, seed: seed);
    }

    [Fact]
    public void Every_function_and_special_form_has_a_case()
    {
        var all = string.Join(" ", Cases().Select(r => (string)r[0]));
        foreach (var name in Functions.AllNames)
            Assert.True(all.Contains(name + "(", StringComparison.Ordinal) || (name == "eye" && all.Contains("eye")), $"no finite-difference case uses {name}");
        foreach (var op in new[] { "+", "-", "*", "/", ".*", "./", "^", ".^", "'", "^-1", "<", "^3" })
            Assert.True(all.Contains(op, StringComparison.Ordinal), $"no finite-difference case uses {op}");
    }

    // ---- the adjoint identity <f(X), Y> = <X, grad_X sum(f(X).*Y)> for linear f ----

    /// <summary>Each row: the objective ⟨f(X), Y⟩ written in the language, and the variable X.</summary>
    public static readonly TheoryData<string, string> Linear = new()
    {
        { "sum(X'.*Y)", "X" },             // transpose
        { "sum(x'.*c')", "x" },            // transpose of a vector (a row)
        { "tr(X)*b", "X" },                // trace
        { "sum(X)*b", "X" },               // sum
        { "sum(x)*b", "x" },
        { "sum(diag(x).*Y)", "x" },        // diag, vector → matrix
        { "diag(X)'*c", "X" },             // diag, matrix → vector
        { "sum((A*X).*Y)", "X" },          // product with a constant matrix, left
        { "sum((X*B).*Y)", "X" },          // right
        { "sum((A*X*B).*Y)", "X" },        // both
        { "(A*x)'*c", "x" },
        { "sum(vector(a).*c)", "a" },      // Fill
        { "sum(matrix(a).*Y)", "a" },
        { "sum((a*X).*Y)", "X" },          // scaling
        { "sum((X+X').*Y)", "X" },
        { "sum(S'.*Y)", "S" },             // symmetric variable
        { "sum((A*S).*Y)", "S" },
        { "tr(S)*b", "S" },
        { "diag(S)'*c", "S" },
    };

    [Theory]
    [MemberData(nameof(Linear))]
    public void Adjoint_identity_holds(string objective, string wrt)
    {
        var bound = CalcHelpers.Bind(objective, D);
        var x = bound.Variable(wrt)!;
        var g = Derivation.Compute(bound.Root, x, DerivativeKind.Gradient).Matrix;
        var rng = new Random(7);
        for (int t = 0; t < 4; t++)
        {
            var values = RandomPoint.Draw(bound.Root, bound.Variables, rng);
            var ev = new Evaluator(values, bound.Variables);
            double lhs = ev.Evaluate(bound.Root).ScalarValue;       // <f(X), Y>
            var gx = ev.Evaluate(g);
            var xv = values[wrt];
            double rhs = 0;
            for (int i = 0; i < xv.Length; i++) rhs += xv.Data[i] * gx.Data[i]; // <X, f*(Y)>
            Assert.True(Math.Abs(lhs - rhs) <= 1e-10 * Math.Max(1, Math.Abs(lhs)), $"{objective}: <f(X),Y> = {lhs:R}, <X, grad> = {rhs:R}");
        }
    }
}
