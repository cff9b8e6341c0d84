using Nabla.Diagnostics;

namespace Nabla.Tests.Syntax;

/// <summary>
/// Golden diagnostics for malformed and ill-typed input: code, span and the exact message. Each message
/// was read for whether it says what is wrong, where, and how to fix it.
/// </summary>
public class DiagnosticTests
{
    [Theory]
    [InlineData("x*y", "", "shape_error", 0, 3, "cannot multiply x (vector n) by y (vector m); did you mean x'*y or x.*y?")]
    [InlineData("A/B", "B:matrix", "shape_error", 0, 3, "cannot divide by B (matrix k\u00D7p): '/' divides by a scalar only; for a matrix write A*inv(B)")]
    [InlineData("x/y", "y:vector", "shape_error", 0, 3, "cannot divide by y (vector m): '/' divides by a scalar only; for entry-by-entry division write x./y")]
    [InlineData("tr(A)", "A:matrix(m,n)", "shape_error", 0, 5, "tr needs a square matrix, but A is matrix m\u00D7n")]
    [InlineData("det(x)", "x:vector", "shape_error", 0, 6, "det needs a square matrix, but x is vector n")]
    [InlineData("logdet(A)", "A:matrix(m,n)", "shape_error", 0, 9, "logdet needs a square matrix, but A is matrix m\u00D7n")]
    [InlineData("inv(A)", "A:matrix(m,n)", "shape_error", 0, 6, "inv needs a square matrix, but A is matrix m\u00D7n")]
    [InlineData("inv(x)", "x:vector", "shape_error", 0, 6, "inv needs a square matrix, but x is vector n")]
    [InlineData("diag(a)", "a:scalar", "shape_error", 0, 7, "diag needs a vector or a square matrix, but a is scalar")]
    [InlineData("diag(A)", "A:matrix(m,n)", "shape_error", 0, 7, "diag needs a vector or a square matrix, but A is matrix m\u00D7n")]
    [InlineData("softmax(A)", "A:matrix", "shape_error", 0, 10, "softmax needs a vector, but A is matrix n\u00D7m")]
    [InlineData("logsumexp(A)", "A:matrix", "shape_error", 0, 12, "logsumexp needs a vector, but A is matrix n\u00D7m")]
    [InlineData("softmax(a)", "a:scalar", "shape_error", 0, 10, "softmax needs a vector, but a is scalar")]
    [InlineData("A+vector(1)", "", "shape_error", 0, 11, "cannot add A (matrix n\u00D7m) and vector(1) (vector k): the shapes differ")]
    [InlineData("x+matrix(2)", "", "shape_error", 0, 11, "cannot add x (vector n) and matrix(2) (matrix m\u00D7k): the shapes differ")]
    [InlineData("eye(3,4)", "", "parse_error", 0, 8, "eye takes its size or nothing: eye, or eye(n) for the n×n identity")]
    [InlineData("eye(1.5)", "", "parse_error", 4, 7, "a size is a whole number or a dimension name such as n, not 1.5")]
    [InlineData("eye(x)*x", "", "parse_error", 4, 5, "x is a variable of this expression; a size is a whole number or a dimension name such as n")]
    [InlineData("A+B", "A:symmetric;B:matrix(m,n)", "shape_error", 0, 3, "cannot add A (matrix m\u00D7m) and B (matrix m\u00D7n): the shapes differ")]
    [InlineData("x+y", "x:vector(n);y:vector(m)", "shape_error", 0, 3, "cannot add x (vector n) and y (vector m): the shapes differ")]
    [InlineData("A*x", "A:matrix(m,n);x:vector(k)", "shape_error", 0, 3, "cannot multiply A (matrix m\u00D7n) by x (vector k): the inner dimensions n and k differ")]
    [InlineData("A*B", "A:matrix(m,n);B:matrix(k,l)", "shape_error", 0, 3, "cannot multiply A (matrix m\u00D7n) by B (matrix k\u00D7l): the inner dimensions n and k differ")]
    [InlineData("A.*B", "A:matrix(m,n);B:matrix(k,l)", "shape_error", 0, 4, "cannot multiply A (matrix m\u00D7n) and B (matrix k\u00D7l) entry by entry: the shapes differ")]
    [InlineData("x./A", "", "shape_error", 0, 4, "cannot divide x (vector n) and A (matrix m\u00D7k) entry by entry: the shapes differ")]
    [InlineData("x.*A", "", "shape_error", 0, 4, "cannot multiply x (vector n) and A (matrix m\u00D7k) entry by entry: the shapes differ")]
    [InlineData("2x", "", "parse_error", 0, 2, "implicit multiplication is not allowed: write '2*x' instead of '2x'")]
    [InlineData("2(x)", "", "parse_error", 0, 2, "implicit multiplication is not allowed: write '2*(' instead of '2('")]
    [InlineData("(x)(y)", "", "parse_error", 2, 4, "implicit multiplication is not allowed: write ')*(' instead of ')('")]
    [InlineData("x y", "", "parse_error", 0, 3, "implicit multiplication is not allowed: write 'x*y' instead of 'x y'")]
    [InlineData("(a)b", "", "parse_error", 2, 4, "implicit multiplication is not allowed: write ')*b' instead of ')b'")]
    [InlineData("exq(x)", "", "unknown_function", 0, 3, "unknown function 'exq'; did you mean 'exp'?")]
    [InlineData("lgo(x)", "", "unknown_function", 0, 3, "unknown function 'lgo'; did you mean 'log'?")]
    [InlineData("x(a+b)", "", "unknown_function", 0, 1, "unknown function 'x'; to multiply the vector x by the parentheses write x*(...)")]
    [InlineData("A(x)", "", "unknown_function", 0, 1, "unknown function 'A'; to multiply the matrix A by the parentheses write A*(...)")]
    [InlineData("x^2", "", "shape_error", 0, 3, "cannot raise x (vector n) to a power with '^'; for entry-by-entry powers write x.^2")]
    [InlineData("A^0.5", "A:matrix", "shape_error", 2, 5, "a matrix power needs a whole-number exponent such as A^2 or A^-1, not 0.5; for entry-by-entry powers write A.^0.5")]
    [InlineData("A^x", "A:matrix;x:scalar", "shape_error", 2, 3, "a matrix power needs a whole-number exponent such as A^2 or A^-1, not x; for entry-by-entry powers write A.^x")]
    [InlineData("A^2", "A:matrix(m,n)", "shape_error", 0, 3, "cannot raise A (matrix m\u00D7n) to a power: it is not square")]
    [InlineData("A^2000", "A:matrix", "unsupported", 2, 6, "the matrix power A^2000 is too large: whole-number exponents of matrices go up to 1000")]
    [InlineData("dot(x)", "", "shape_error", 0, 6, "dot takes 2 arguments, not 1")]
    [InlineData("exp(x,y)", "", "shape_error", 0, 8, "exp takes one argument, not 2")]
    [InlineData("tr(A,B)", "", "shape_error", 0, 7, "tr takes one argument, not 2")]
    [InlineData("vector(1,2,3)", "", "parse_error", 0, 13, "vector takes a value and optionally a size: vector(c) or vector(c, n)")]
    [InlineData("matrix(1,2)", "", "parse_error", 0, 11, "matrix takes a value and optionally two sizes: matrix(c) or matrix(c, m, n)")]
    [InlineData("matrix(A)", "A:matrix", "shape_error", 0, 9, "matrix(c) needs a scalar c (every entry equals it), but A is matrix n\u00D7m")]
    [InlineData("exp()", "", "parse_error", 0, 5, "exp() needs an argument")]
    [InlineData("exp", "", "parse_error", 0, 3, "exp is a function: call it as exp(...)")]
    [InlineData("a+", "", "parse_error", 2, 2, "expected a number, a name, '(' or '<', but the expression ended")]
    [InlineData(")", "", "parse_error", 0, 1, "expected a number, a name, '(' or '<', found ')': an operand is missing before it")]
    [InlineData("(a", "", "parse_error", 0, 2, "expected ')' to close the '(' at 0, but the expression ended")]
    [InlineData("<x,y", "", "parse_error", 0, 4, "expected '>' to close the inner product opened at 0, but the expression ended")]
    [InlineData("<x y>", "", "parse_error", 1, 4, "implicit multiplication is not allowed: write 'x*y' instead of 'x y'")]
    [InlineData("<x,y>>", "", "parse_error", 5, 6, "expected an operator or the end of the expression, found '>' (a '>' without a matching '<'; there is no comparison operator)")]
    [InlineData("<x,y,z>", "", "parse_error", 4, 5, "the inner product <a, b> takes exactly two operands; for more, nest it or use sums and products")]
    [InlineData("<x,A>", "", "shape_error", 0, 5, "the inner product <x, A> needs two operands of one shape, not vector n and matrix m\u00D7k")]
    [InlineData("a,b", "", "parse_error", 1, 2, "expected an operator or the end of the expression, found ',' (a ',' outside a function call or inner product)")]
    [InlineData("a=b", "", "parse_error", 1, 2, "unexpected character '='; Nabla takes an expression, not an equation")]
    [InlineData("a[1]", "", "parse_error", 1, 2, "unexpected character '['; group with '(' and ')'")]
    [InlineData("a . b", "", "parse_error", 2, 3, "unexpected '.': element-wise operators are '.*', './' and '.^', and '.T' transposes")]
    [InlineData("x.", "", "parse_error", 1, 2, "unexpected '.': element-wise operators are '.*', './' and '.^', and '.T' transposes")]
    [InlineData("1.5.3", "", "parse_error", 3, 5, "expected an operator or the end of the expression, found a number")]
    [InlineData("1e999", "", "parse_error", 0, 5, "the number '1e999' is out of range")]
    [InlineData("x'*A*x'", "", "shape_error", 0, 7, "cannot multiply x'*A (row vector m) by x' (row vector n); did you mean x'*A*x?")]
    [InlineData("x+x'", "", "shape_error", 0, 4, "cannot add x (vector n) and x' (row vector n): the shapes differ; one of them is a row vector: transpose it")]
    [InlineData("x'*y'", "", "shape_error", 0, 5, "cannot multiply x' (row vector n) by y' (row vector m); did you mean x'*y?")]
    [InlineData("a#b", "", "parse_error", 1, 2, "unexpected character '#'")]
    [InlineData("\u00C9", "", "parse_error", 0, 1, "unexpected character '\u00C9'")]
    [InlineData("x \u22C5 y", "", "parse_error", 2, 3, "unexpected character '\u22C5'; multiply with '*'")]
    [InlineData("x\u2019", "", "parse_error", 1, 2, "unexpected character '\u2019'; transpose with \"'\" or '.T'")]
    [InlineData("'x", "", "parse_error", 0, 1, "expected a number, a name, '(' or '<', found \"'\"")]
    [InlineData(".T", "", "parse_error", 0, 2, "expected a number, a name, '(' or '<', found '.T'")]
    [InlineData("exp(x", "", "parse_error", 3, 5, "expected ')' to close the call of exp, but the expression ended")]
    [InlineData("exp(,x)", "", "parse_error", 4, 5, "expected a number, a name, '(' or '<', found ',': an operand is missing before it")]
    [InlineData("<x,>", "", "parse_error", 3, 4, "expected a number, a name, '(' or '<', found '>': an operand is missing before it")]
    [InlineData("()", "", "parse_error", 1, 2, "expected a number, a name, '(' or '<', found ')': an operand is missing before it")]
    [InlineData("       ", "", "parse_error", 0, 7, "the expression is empty")]
    [InlineData("x*A", "", "shape_error", 0, 3, "cannot multiply x (vector n) by A (matrix m\u00D7k); did you mean x'*A?")]
    [InlineData("x^y", "y:vector", "shape_error", 2, 3, "the exponent y is vector m; exponents are scalars")]
    [InlineData("x.^y", "y:vector", "shape_error", 3, 4, "the exponent y is vector m; exponents are scalars")]
    [InlineData("A^y", "y:vector", "shape_error", 2, 3, "the exponent y is vector k; exponents are scalars")]
    [InlineData("a*x", "a:vector(n);x:vector(n)", "shape_error", 0, 3, "cannot multiply a (vector n) by x (vector n); did you mean a'*x or a.*x?")]
    [InlineData("sum", "", "parse_error", 0, 3, "sum is a function: call it as sum(...)")]
    [InlineData("dot", "", "parse_error", 0, 3, "dot is a function: call it as dot(...)")]
    public void Diagnostic_is_exact(string text, string decls, string code, int start, int end, string message)
    {
        var d = TestUtil.Error(text, decls);
        Assert.Equal(code, d.Code);
        Assert.Equal(message, d.Message);
        if (start < 0) Assert.Null(d.Span);
        else
        {
            Assert.NotNull(d.Span);
            Assert.Equal(start, d.Span!.Value.Start);
            Assert.Equal(end, d.Span!.Value.End);
        }
    }

    [Fact]
    public void There_are_at_least_sixty_goldens()
    {
        var count = typeof(DiagnosticTests).GetMethod(nameof(Diagnostic_is_exact))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Length;
        Assert.True(count >= 60, $"only {count} golden diagnostics");
    }

    [Fact]
    public void Every_span_lies_inside_the_text()
    {
        foreach (var attr in typeof(DiagnosticTests).GetMethod(nameof(Diagnostic_is_exact))!
                     .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>())
        {
            var row = attr.GetData(null!).Single();
            string text = (string)row[0];
            int start = (int)row[3], end = (int)row[4];
            Assert.InRange(start, 0, text.Length);
            Assert.InRange(end, start, text.Length);
        }
    }

    [Fact]
    public void Unknown_variable_type_is_a_bad_request() =>
        Assert.Equal(ErrorCodes.BadRequest, Assert.Throws<NablaException>(() => Nabla.Semantics.VarType.Parse("foo")).Diagnostic.Code);
}
