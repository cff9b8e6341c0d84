using Nabla.Diagnostics;
using Nabla.Semantics;
using Nabla.Tests.Syntax;

namespace Nabla.Tests.Semantics;

/// <summary>The shape rule of every operator and function (spec section 3), good and bad.</summary>
public class ShapeRuleTests
{
    [Theory]
    // + - : equal shapes, scalar broadcast either side.
    [InlineData("x+y", "", "vector(n)")]
    [InlineData("A-B", "", "matrix(n,m)")]
    [InlineData("x+a", "", "vector(n)")]
    [InlineData("a-A", "", "matrix(n,m)")]
    [InlineData("x'+y'", "", "row vector(n)")]
    // * : scalar·anything, matrix·matrix, matrix·vector, inner, outer, row.
    [InlineData("a*A", "", "matrix(n,m)")]
    [InlineData("x*a", "", "vector(n)")]
    [InlineData("A*B", "A:matrix(m,k);B:matrix(k,n)", "matrix(m,n)")]
    [InlineData("A*x", "A:matrix(m,n)", "vector(m)")]
    [InlineData("x'*y", "", "scalar")]
    [InlineData("x*y'", "", "matrix(n,m)")]
    [InlineData("x'*A", "A:matrix(n,m)", "row vector(m)")]
    [InlineData("x'*A*x", "", "scalar")]
    // / by a scalar only.
    [InlineData("A/a", "", "matrix(n,m)")]
    [InlineData("x/(y'*y)", "", "vector(n)")]
    // element-wise.
    [InlineData("x.*y", "", "vector(n)")]
    [InlineData("A./B", "", "matrix(n,m)")]
    [InlineData("a.*x", "", "vector(n)")]
    [InlineData("x./a", "", "vector(n)")]
    // powers.
    [InlineData("a^b", "", "scalar")]
    [InlineData("A^2", "", "matrix(n,n)")]
    [InlineData("A^-1", "", "matrix(n,n)")]
    [InlineData("x.^2", "", "vector(n)")]
    [InlineData("A.^a", "", "matrix(n,m)")]
    // transpose.
    [InlineData("A'", "A:matrix(m,n)", "matrix(n,m)")]
    [InlineData("a'", "", "scalar")]
    [InlineData("x.T", "", "row vector(n)")]
    // element-wise functions keep the shape.
    [InlineData("exp(A)+log(A)+sin(A)+cos(A)+tan(A)+arcsin(A)+arccos(A)+arctan(A)+tanh(A)+sqrt(A)+abs(A)+sign(A)+sigmoid(A)+softplus(A)+relu(A)", "", "matrix(n,m)")]
    [InlineData("exp(x)", "", "vector(n)")]
    [InlineData("relu(a)", "", "scalar")]
    // reductions.
    [InlineData("sum(A)", "", "scalar")]
    [InlineData("sum(x)", "", "scalar")]
    [InlineData("norm2(A)+norm1(x)", "", "scalar")]
    [InlineData("tr(A)", "", "scalar")]
    [InlineData("det(A)", "", "scalar")]
    [InlineData("logdet(A)", "", "scalar")]
    [InlineData("inv(A)", "", "matrix(n,n)")]
    [InlineData("diag(x)", "", "matrix(n,n)")]
    [InlineData("diag(A)", "", "vector(n)")]
    [InlineData("dot(x,y)", "", "scalar")]
    [InlineData("<x,y>", "", "scalar")]
    [InlineData("<A,B>", "", "scalar")]
    [InlineData("softmax(x)", "", "vector(n)")]
    [InlineData("logsumexp(x)", "", "scalar")]
    // constants with inferred sizes.
    [InlineData("A*vector(1)", "A:matrix(m,n)", "vector(m)")]
    [InlineData("A+matrix(a)", "A:matrix(m,n)", "matrix(m,n)")]
    [InlineData("A+eye", "A:matrix(k,k)", "matrix(k,k)")]
    [InlineData("x'*eye*x", "x:vector(p)", "scalar")]
    [InlineData("vector(2)'*x", "x:vector(3)", "scalar")]
    // symmetric declarations are square.
    [InlineData("S*x", "S:symmetric", "vector(n)")]
    [InlineData("S", "S:symmetric(k)", "matrix(k,k)")]
    [InlineData("inv(S)", "S:symmetric", "matrix(n,n)")]
    // declared dimensions unify.
    [InlineData("x+y", "x:vector(n);y:vector(n)", "vector(n)")]
    [InlineData("A*x", "A:matrix(3,4);x:vector(4)", "vector(3)")]
    [InlineData("x'*A*y", "x:vector(m);y:vector(k)", "scalar")]
    public void Well_typed(string text, string decls, string shape) =>
        Assert.Equal(shape, TestUtil.Bind(text, decls).Root.Shape.ToString());

    [Theory]
    [InlineData("x*y", "", "did you mean x'*y or x.*y?")]
    [InlineData("A/B", "B:matrix", "for a matrix write A*inv(B)")]
    [InlineData("x/y", "y:vector", "for entry-by-entry division write x./y")]
    [InlineData("A+B", "A:matrix(m,n);B:matrix(n,m)", "cannot add A (matrix m×n) and B (matrix n×m)")]
    [InlineData("x+A", "", "the shapes differ")]
    [InlineData("A*B", "A:matrix(m,n);B:matrix(k,l)", "the inner dimensions n and k differ")]
    [InlineData("x.*y", "x:vector(n);y:vector(m)", "entry by entry")]
    [InlineData("x^2", "", "write x.^2")]
    [InlineData("A^2", "A:matrix(m,n)", "it is not square")]
    [InlineData("A^a", "A:matrix", "whole-number exponent")]
    [InlineData("tr(A)", "A:matrix(m,n)", "tr needs a square matrix")]
    [InlineData("det(A)", "A:matrix(m,n)", "det needs a square matrix")]
    [InlineData("logdet(A)", "A:matrix(m,n)", "logdet needs a square matrix")]
    [InlineData("inv(A)", "A:matrix(m,n)", "inv needs a square matrix")]
    [InlineData("tr(x)", "x:vector", "tr needs a square matrix, but x is vector n")]
    [InlineData("diag(A)", "A:matrix(m,n)", "diag needs a vector or a square matrix")]
    [InlineData("diag(a)", "a:scalar", "diag needs a vector or a square matrix")]
    [InlineData("softmax(A)", "A:matrix", "softmax needs a vector")]
    [InlineData("logsumexp(a)", "a:scalar", "logsumexp needs a vector")]
    [InlineData("<x,A>", "", "needs two operands of one shape")]
    [InlineData("dot(A,B)", "A:matrix", "dot needs two vectors")]
    [InlineData("vector(x)", "x:vector", "vector(c) needs a scalar c")]
    [InlineData("x+vector(1)", "x:vector(2)", "")] // fine: listed here only as a control, see below
    [InlineData("S+A", "S:symmetric;A:matrix(m,n)", "the shapes differ")]
    [InlineData("S*x", "S:symmetric(n);x:vector(m)", "the inner dimensions n and m differ")]
    [InlineData("x+y", "x:vector(n);y:vector(m)", "cannot add x (vector n) and y (vector m)")]
    [InlineData("x+y", "x:vector(2);y:vector(3)", "cannot add x (vector 2) and y (vector 3)")]
    public void Ill_typed(string text, string decls, string fragment)
    {
        if (fragment == "") { TestUtil.Bind(text, decls); return; }
        var d = TestUtil.Error(text, decls);
        Assert.Equal(ErrorCodes.ShapeError, d.Code);
        Assert.Contains(fragment, d.Message);
        Assert.NotNull(d.Span);
    }

    [Theory]
    [InlineData("a", "scalar")]
    [InlineData("g", "scalar")]
    [InlineData("h", "vector(n)")]
    [InlineData("z", "vector(n)")]
    [InlineData("w2", "vector(n)")]
    [InlineData("A", "matrix(n,m)")]
    [InlineData("Z", "matrix(n,m)")]
    [InlineData("alpha", "scalar")]
    [InlineData("beta", "scalar")]
    [InlineData("lambda", "scalar")]
    [InlineData("sigma", "scalar")]
    [InlineData("theta", "scalar")]
    [InlineData("mu", "scalar")]
    [InlineData("omega", "scalar")]
    public void Naming_convention(string name, string shape)
    {
        var b = TestUtil.Bind(name);
        Assert.Equal(shape, b.Variable(name)!.Shape.ToString());
        Assert.Equal(TypeOrigin.Convention, b.Origins[name]);
    }

    [Fact]
    public void Declarations_override_the_convention()
    {
        var b = TestUtil.Bind("a+x", "a:vector(n);x:vector(n)");
        Assert.Equal("vector(n)", b.Root.Shape.ToString());
        Assert.Equal(TypeOrigin.Declared, b.Origins["a"]);
    }

    [Fact]
    public void Symmetric_declarations_are_marked_symmetric()
    {
        var b = TestUtil.Bind("x'*S*x", "S:symmetric");
        Assert.True(b.Variable("S")!.Symmetric);
        Assert.True(b.Variable("S")!.Shape.IsSquare);
    }

    [Fact]
    public void PreferScalar_makes_y_a_scalar_in_logistic_loss()
    {
        var b = TestUtil.Bind("log(1+exp(-y*<w,x>))", preferScalar: true);
        Assert.True(b.Root.Shape.IsScalar);
        Assert.Equal("scalar", b.Variable("y")!.Shape.ToString());
        Assert.Equal(TypeOrigin.Inferred, b.Origins["y"]);
        Assert.Equal("vector(n)", b.Variable("w")!.Shape.ToString());
        Assert.Equal("vector(n)", b.Variable("x")!.Shape.ToString());
    }

    [Fact]
    public void Without_PreferScalar_the_convention_keeps_y_a_vector()
    {
        var b = TestUtil.Bind("log(1+exp(-y*<w,x>))");
        Assert.Equal("vector(n)", b.Variable("y")!.Shape.ToString());
        Assert.Equal("vector(n)", b.Root.Shape.ToString());
    }

    [Fact]
    public void Inference_departs_from_the_convention_only_when_it_must()
    {
        var b = TestUtil.Bind("tr(x)");
        Assert.Equal("matrix(n,n)", b.Variable("x")!.Shape.ToString());
        Assert.Equal(TypeOrigin.Inferred, b.Origins["x"]);
    }

    [Fact]
    public void Value_shapes_fix_sizes()
    {
        var options = new BindOptions
        {
            ConcreteShapes = new Dictionary<string, Nabla.Expressions.Shape>
            {
                ["x"] = Nabla.Expressions.Shape.Vector(Nabla.Expressions.Dim.Of(3)),
            },
        };
        var b = Binder.Bind("A*x", options);
        Assert.Equal("matrix(n,3)", b.Variable("A")!.Shape.ToString());
        Assert.Equal(TypeOrigin.Value, b.Origins["x"]);
    }
}

public class ExpectedShapeTests
{
    [Fact]
    public void An_expected_shape_fixes_the_size_of_a_constant_nothing_else_fixes()
    {
        var decls = new Dictionary<string, VarType> { ["y"] = VarType.Parse("vector(m)") };
        var b = Binder.Bind("sum(y)*vector(1)", new BindOptions { Declarations = decls, ExpectedShape = Expressions.Shape.Vector(Expressions.Dim.Of(3)) });
        Assert.Equal("vector(3)", b.Root.Shape.ToString());
        var e = Assert.Throws<Diagnostics.NablaException>(() =>
            Binder.Bind("x'*y", new BindOptions { ExpectedShape = Expressions.Shape.Vector(Expressions.Dim.Symbol("n")) }));
        Assert.Equal("shape_error", e.Diagnostic.Code);
        Assert.Equal("the expression is scalar, but vector n is expected", e.Diagnostic.Message);
    }
}
