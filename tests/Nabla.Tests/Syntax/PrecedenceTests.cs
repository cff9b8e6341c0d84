using Nabla.Expressions;
using Nabla.Printing;
using Nabla.Syntax;

namespace Nabla.Tests.Syntax;

/// <summary>One case per precedence / associativity rule of spec section 3, asserted on the syntax tree.</summary>
public class PrecedenceTests
{
    /// <summary>A fully parenthesised rendering of the parse tree (flat chains folded left, as the spec reads them).</summary>
    internal static string Tree(SyntaxNode n) => n switch
    {
        NumberSyntax num => num.Text,
        NameSyntax name => name.Name,
        ParenSyntax p => Tree(p.Inner),
        UnarySyntax u => $"({(u.Op == TokenKind.Minus ? "neg" : "pos")} {Tree(u.Operand)})",
        TransposeSyntax t => $"(T {Tree(t.Operand)})",
        PowerSyntax p => $"({(p.Op == TokenKind.Caret ? "^" : ".^")} {Tree(p.Base)} {Tree(p.Exponent)})",
        InnerSyntax i => $"(<> {Tree(i.Left)} {Tree(i.Right)})",
        CallSyntax c => $"({c.Name} {string.Join(" ", c.Args.Select(Tree))})",
        SumSyntax s => Fold(s.Terms, s.Ops),
        ProductSyntax p => Fold(p.Factors, p.Ops),
        _ => throw new InvalidOperationException(),
    };

    private static string Fold(IReadOnlyList<SyntaxNode> items, IReadOnlyList<TokenKind> ops)
    {
        string acc = Tree(items[0]);
        for (int i = 1; i < items.Count; i++)
        {
            string op = ops[i - 1] switch
            {
                TokenKind.Plus => "+", TokenKind.Minus => "-", TokenKind.Star => "*", TokenKind.Slash => "/",
                TokenKind.DotStar => ".*", _ => "./",
            };
            acc = $"({op} {acc} {Tree(items[i])})";
        }
        return acc;
    }

    [Theory]
    // + and - are left-associative.
    [InlineData("a-b-c", "(- (- a b) c)")]
    [InlineData("a+b-c+d", "(+ (- (+ a b) c) d)")]
    // * / .* ./ are left-associative among themselves.
    [InlineData("a/b/c", "(/ (/ a b) c)")]
    [InlineData("a*b/c", "(/ (* a b) c)")]
    [InlineData("a/b*c", "(* (/ a b) c)")]
    [InlineData("x./y.*z", "(.* (./ x y) z)")]
    [InlineData("x.*y./z*a", "(* (./ (.* x y) z) a)")]
    // the product level binds tighter than the sum level.
    [InlineData("a+b*c", "(+ a (* b c))")]
    [InlineData("a*b-c/d", "(- (* a b) (/ c d))")]
    [InlineData("x+y.*z", "(+ x (.* y z))")]
    [InlineData("x-y./z", "(- x (./ y z))")]
    // unary minus sits below ^ but above *.
    [InlineData("-x^2", "(neg (^ x 2))")]
    [InlineData("-a*b", "(* (neg a) b)")]
    [InlineData("a*-b", "(* a (neg b))")]
    [InlineData("--a", "(neg (neg a))")]
    [InlineData("+a", "(pos a)")]
    // ^ and .^ are right-associative; the exponent is a unary.
    [InlineData("a^b^c", "(^ a (^ b c))")]
    [InlineData("x.^a.^b", "(.^ x (.^ a b))")]
    [InlineData("A^-1", "(^ A (neg 1))")]
    [InlineData("2^-3^2", "(^ 2 (neg (^ 3 2)))")]
    [InlineData("a^b*c", "(* (^ a b) c)")]
    // postfix transpose binds tighter than ^, and stacks.
    [InlineData("x'", "(T x)")]
    [InlineData("x.T", "(T x)")]
    [InlineData("x''", "(T (T x))")]
    [InlineData("x.T'", "(T (T x))")]
    [InlineData("A'^2", "(^ (T A) 2)")]
    [InlineData("-x'", "(neg (T x))")]
    [InlineData("x'*A*x", "(* (* (T x) A) x)")]
    // inner products, calls and parentheses are primaries.
    [InlineData("<x,y>", "(<> x y)")]
    [InlineData("<x+y, A*z>'", "(T (<> (+ x y) (* A z)))")]
    [InlineData("a*<x,y>^2", "(* a (^ (<> x y) 2))")]
    [InlineData("exp(x)'", "(T (exp x))")]
    [InlineData("dot(x, y+z)", "(dot x (+ y z))")]
    [InlineData("(a+b)*c", "(* (+ a b) c)")]
    [InlineData("a-(b-c)", "(- a (- b c))")]
    [InlineData("(A+B)'", "(T (+ A B))")]
    [InlineData("-(x)^2", "(neg (^ x 2))")]
    [InlineData("(-x)^2", "(^ (neg x) 2)")]
    // numbers of every form in the grammar.
    [InlineData("12+1.5+.5+1e-3+2.5E+4", "(+ (+ (+ (+ 12 1.5) .5) 1e-3) 2.5E+4)")]
    [InlineData("2.*x", "(.* 2 x)")]
    public void Parses_with_the_spec_precedence(string text, string tree) =>
        Assert.Equal(tree, Tree(Parser.Parse(text)));

    [Fact]
    public void White_space_is_free() =>
        Assert.Equal(Tree(Parser.Parse("x'*A*x+<w,x>")), Tree(Parser.Parse("  x ' * A\t*\nx + < w , x >  ")));

    [Fact]
    public void Unary_minus_of_a_power_binds_as_negation_of_the_power()
    {
        var root = TestUtil.Bind("-x^2", "x:scalar").Root;
        var neg = Assert.IsType<Neg>(root);
        Assert.IsType<Power>(neg.X);
    }

    [Fact]
    public void Matrix_power_minus_one_binds_to_MatPow()
    {
        var root = TestUtil.Bind("A^-1").Root;
        Assert.Equal(-1, Assert.IsType<MatPow>(root).K);
    }

    [Fact]
    public void Left_nested_division_keeps_its_structure()
    {
        var root = TestUtil.Bind("a/b/c").Root;
        var outer = Assert.IsType<Div>(root);
        Assert.IsType<Div>(outer.X);
    }

    [Theory]
    [InlineData("a-(b-c)", "a-(b-c)")]
    [InlineData("a/(b/c)", "a/(b/c)")]
    [InlineData("(a+b)*c", "(a+b)*c")]
    [InlineData("x.T", "x'")]
    [InlineData("<x,y>", "x'*y")]
    [InlineData("<A,B>", "tr(A'*B)")]
    [InlineData("dot(x,y)", "x'*y")]
    [InlineData("--a", "-(-a)")]
    [InlineData("+a", "a")]
    [InlineData("A^(-1)", "A^-1")]
    [InlineData("x+vector(1)", "x+1")]
    public void Prints_the_bound_expression(string text, string printed) =>
        Assert.Equal(printed, TextPrinter.Print(TestUtil.Bind(text).Root));
}
