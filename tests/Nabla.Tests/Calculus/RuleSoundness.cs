using Nabla.Numerics;
using Nabla.Printing;
using Nabla.Simplify;
using Nabla.LinearAlgebra;

namespace Nabla.Tests.Calculus;

/// <summary>
/// Every rewrite of Rules.cs and Factoring.cs, exercised on an input where it fires (the printed result
/// shows it did) and checked for soundness: both sides evaluated at random domain-aware values.
/// </summary>
public class RuleSoundness
{
    private const string D = "a:scalar; b:scalar; x:vector(n); y:vector(n); z:vector(n); A:matrix(n,n); B:matrix(n,n); C:matrix(n,n); S:symmetric(n); R:matrix(m,n)";

    public static readonly TheoryData<string, string, string> Rewrites = new()
    {
        // products (MakeMul)
        { "mul-fold-coefficients", "2*3*x", "6*x" },
        { "mul-flatten", "(2*A)*(B*(3*x))", "6*A*B*x" },
        { "mul-merge-scalar-powers", "a*b*a", "a^2*b" },
        { "mul-cancel-scalar-powers", "a*b/a", "b" },
        { "mul-zero", "0*x", "vector(0)" },
        { "mul-zero-fill", "A*matrix(0)*x", "vector(0)" },
        { "mul-fill-scalar-out", "A*matrix(a)*x", "sum(x)*a*A*vector(1)" },
        { "mul-sigmoid-from-one-plus-exp", "1/(1+exp(-a))", "sigmoid(a)" },
        { "mul-sigmoid-from-exp-ratio", "exp(a)/(1+exp(a))", "sigmoid(a)" },
        { "had-sigmoid-from-exp-ratio", "exp(x)./(1+exp(x))", "sigmoid(x)" },
        { "had-sigmoid-from-one-plus-exp", "y./(1+exp(-x))", "y.*sigmoid(x)" },
        { "mul-drop-eye", "eye*A*eye*x", "A*x" },
        { "mul-eye-eye", "eye*eye", "eye" },
        { "mul-scalar-piece-scales", "x'*y*z", "x'*y*z" },
        { "mul-scalar-piece-keeps-eye", "x'*y*eye(n)", "x'*y*eye" },
        { "mul-ones-row-is-sum", "vector(1)'*x*y", "sum(x)*y" },
        { "mul-inverse-of-spelled-product", "A*inv(B'*B*C)*B'*B*C", "A" },
        { "mul-spelled-product-inverse", "B'*B*C*inv(B'*B*C)*x", "x" },
        { "sum-of-transposes-as-a-transpose", "X'*A'*X'+A'*X'^2+X'^2*A'", "(X*A*X+A*X^2+X^2*A)'" },
        { "mul-signed-powers", "A'*inv(A^5)'*A'^3", "inv(A)'" },
        { "mul-power-times-inverse", "A^3*inv(A)", "A^2" },
        { "mul-inverse-powers", "inv(A)*inv(A)", "inv(A)^2" },
        { "mul-power-cancels", "A^2*inv(A^2)*x", "x" },
        { "mul-sign-over-abs", "a*sign(a)/abs(a)", "1" },
        { "mul-sign-over-abs-reciprocal", "b*sign(a)/abs(a)", "b/a" },
        { "mul-value-over-abs", "a/abs(a)", "sign(a)" },
        { "mul-softmax-from-exp", "exp(x)/sum(exp(x))", "softmax(x)" },
        { "mul-diag-diag", "A*diag(x)*diag(y)*B", "A*diag(x.*y)*B" },
        { "trace-of-outer-product-inside", "tr(A*x*y'*B)", "y'*B*A*x" },
        { "trace-of-zero", "tr(matrix(0))", "0" },
        { "det-of-zero", "det(matrix(0))", "0" },
        { "det-of-eye", "det(eye(n))*x", "x" },
        { "logdet-of-eye", "logdet(eye(n))+x'*x", "x'*x" },
        { "diag-of-zero", "diag(vector(0))*x", "vector(0)" },
        { "had-expand-when-much-shorter", "((1-y)./(1-sigmoid(x))-y./sigmoid(x)).*(1-sigmoid(x)).*sigmoid(x)", "sigmoid(x)-y" },
        { "mul-inverse-pair", "inv(A)*A*x", "x" },
        { "mul-inverse-pair-right", "B*A*inv(A)", "B" },
        { "mul-inverse-pair-only", "A*inv(A)", "eye" },
        { "mul-inverse-pair-transposed", "A'*inv(A)'*x", "x" },
        { "mul-inverse-of-product-right", "B*inv(A*B)", "inv(A)" },
        { "mul-inverse-of-product-left", "inv(A*B)*A", "inv(B)" },
        { "mul-inverse-of-product-transposed-right", "A'*inv(A*B*C)'", "inv(B*C)'" },
        { "mul-inverse-of-product-transposed-left", "inv(A*B*C)'*C'", "inv(A*B)'" },
        { "mul-row-times-quotient", "x'*(y./x)", "sum(y)" },
        { "mul-row-times-quotient-more", "a*x'*(y.*z./x)", "sum(y.*z)*a" }, // function values lead the scalar factors (as in -sigmoid(u)*y*x)
        { "mul-matrix-square", "A*A*x", "A^2*x" },
        { "mul-matrix-power-merge", "A^2*A*A^3", "A^6" },
        { "mul-orient-scalar-chain", "b*(y'*A'*x)", "b*x'*A*y" },
        // sums (MakeAdd)
        { "add-like-terms", "x+x+2*y-y", "2*x+y" },
        { "add-cancel", "A*x-A*x", "vector(0)" },
        { "add-numbers", "a+1+2", "a+3" },
        { "add-fill-constants", "x+vector(1)+vector(2)", "x+3" },
        { "add-order-negative-last", "-y+x", "x-y" },
        // transposes (MakeT)
        { "t-product", "(A*B*x)'*y", "y'*A*B*x" },
        { "t-sum", "(A+B)'", "A'+B'" },
        { "t-hadamard", "(A.*B)'", "A'.*B'" },
        { "t-elementwise-power", "(A.^2)'", "A'.^2" },
        { "t-matrix-power", "(A^2)'", "A'^2" },
        { "t-function", "exp(A)'", "exp(A')" },
        { "t-double", "A''", "A" },
        { "t-eye", "eye'*A", "A" },
        { "t-fill", "x'*(A*matrix(a))'", "sum(x)*a*vector(1)'*A'" },
        { "t-symmetric-var", "S'*x", "S*x" },
        { "t-symmetric-sum", "(A+A')'", "A+A'" },
        { "t-symmetric-palindrome", "(A'*S*A)'", "A'*S*A" },
        { "t-symmetric-inverse", "inv(S)'", "inv(S)" },
        { "t-symmetric-diag", "diag(x)'", "diag(x)" },
        { "t-scalar", "a'", "a" },
        // powers (MakePow, MakeMatPow)
        { "pow-one", "a^1", "a" },
        { "pow-zero", "a^0", "1" },
        { "pow-zero-elementwise", "x.^0", "vector(1)" },
        { "pow-fold", "2^3", "8" },
        { "pow-fill", "vector(2).^3", "vector(8)" },
        { "pow-of-pow", "(a^2)^3", "a^6" },
        { "pow-of-product", "(2*a)^2", "4*a^2" },
        { "matpow-zero", "A^0*x", "x" },
        { "matpow-one", "A^1", "A" },
        { "matpow-minus-one", "A^-1", "inv(A)" },
        { "matpow-minus-k", "A^-2", "inv(A)^2" },
        // element-wise products (MakeHad)
        { "had-scalar", "a.*x", "a*x" },
        { "had-zero", "x.*vector(0)", "vector(0)" },
        { "had-fill", "vector(2).*x", "2*x" },
        { "had-pull-scalars", "(2*x).*(a*y)", "2*a*(x.*y)" },
        { "had-merge-powers", "x.*x.*y", "x.^2.*y" },
        { "had-cancel", "x./x", "vector(1)" },
        { "had-quotient", "x./y", "x./y" },
        { "had-variables-first", "exp(x).*y", "y.*exp(x)" },
        // functions (MakeCall)
        { "call-exp-log", "exp(log(a))", "a" },
        { "call-log-exp", "log(exp(a))", "a" },
        { "call-softplus", "log(1+exp(a))", "softplus(a)" },
        { "call-fold", "exp(0)+cos(0)", "2" },
        { "call-fold-fill", "exp(matrix(0))", "matrix(1)" },
        { "call-no-inexact-fold", "exp(1)", "exp(1)" },
        { "tr-scale", "tr(3*a*A)", "3*tr(A)*a" },
        { "tr-transpose", "tr(A')", "tr(A)" },
        { "tr-column-first", "tr(x*y')", "x'*y" },
        { "tr-row-last", "tr(A*x*y')", "y'*A*x" },
        { "det-transpose", "det(A')", "det(A)" },
        { "logdet-transpose", "logdet(A')", "logdet(A)" },
        { "inv-transpose", "inv(A')", "inv(A)'" },
        { "inv-inv", "inv(inv(A))", "A" },
        { "inv-eye", "inv(eye)*x", "x" },
        { "inv-scale", "inv(2*a*A)", "0.5*inv(A)/a" },
        { "diag-diag", "diag(diag(x))", "x" },
        { "mul-diag-times-vector", "diag(x)*y", "x.*y" },
        { "mul-row-times-diag", "y'*diag(x)*A", "x'.*y'*A" },
        { "diag-of-outer-product", "diag(x*y')", "x.*y" },
        { "mul-ones-times-vector", "A*matrix(1)*x", "sum(x)*A*vector(1)" },
        { "mul-row-times-ones", "x'*matrix(1)*A", "sum(x)*vector(1)'*A" },
        { "sum-scalar", "sum(a)", "a" },
        { "norm-of-zeros", "norm2(x-x)+sum(A-A)+norm1(y-y)+b", "b" },
        { "norm1-scalar", "norm1(a)", "abs(a)" },
        { "sum-transpose", "sum(x')", "sum(x)" },
        // factoring (Factoring.cs)
        { "factor-common-coefficient", "2*x+4*y", "2*(x+2*y)" },
        { "factor-right", "A*x+B*x", "(A+B)*x" },
        { "factor-left", "A*x+A*y", "A*(x+y)" },
        { "factor-tie", "A*x*y'+A*y*x'", "A*(x*y'+y*x')" },
        { "factor-order", "b*x+A*x+A'*x", "(A+A')*x+b*x" },
        { "add-order-longer-chains-first", "b+A*x", "A*x+b" },
        { "factor-transposed-sum", "(x-y)*(x-y)'", "(x-y)*(x-y)'" },
        { "factor-keeps-scalar-sums", "a*b+a", "a+a*b" },
    };

    [Theory]
    [MemberData(nameof(Rewrites))]
    public void Rewrite_fires_and_is_sound(string rule, string input, string expected)
    {
        var b = CalcHelpers.Bind(input, D, preferScalar: false);
        var simplified = Simplifier.Simplify(b.Root);
        Assert.Equal(CalcHelpers.NoSpace(expected), CalcHelpers.NoSpace(TextPrinter.PrintResult(simplified)));
        var rng = new Random(rule.Length * 7919 + 1);
        for (int t = 0; t < 4; t++)
        {
            var values = RandomPoint.Draw(b.Root, b.Variables, rng);
            if (b.Variables.Count == 0) values = []; // constants only
            var dims = b.Variables.Count == 0 ? null : b.Variables;
            Tensor before, after;
            try { before = Evaluator.Evaluate(b.Root, values, dims); }
            catch (Nabla.Diagnostics.NablaException) when (b.Variables.Count == 0) { return; } // sizes unknown: nothing to evaluate
            after = Evaluator.Evaluate(simplified, values, dims);
            CalcHelpers.AssertClose(before, after, 1e-9, $"{rule}: {input} vs {TextPrinter.Print(simplified)}");
        }
    }
}
