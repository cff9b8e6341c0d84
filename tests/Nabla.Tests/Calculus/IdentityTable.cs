using Nabla.Calculus;
using Nabla.Api;

namespace Nabla.Tests.Calculus;

/// <summary>
/// Known derivatives (Matrix Cookbook numbers where there is one, the seed problems, ML losses), each
/// checked symbolically (the exact printed text) and numerically (central finite differences).
/// </summary>
public class IdentityTable
{
    private const string M = "X:matrix(n,n); A:matrix(n,n); B:matrix(n,n); C:matrix(n,n); D:matrix(n,n)";
    private const string V = "x:vector(n); a:vector(n); b:vector(n); c:vector(n); e:vector(n); y:vector(n); s:vector(n)";
    private const string MV = M + "; " + V;

    public static readonly TheoryData<string, string, string, string> Gradients = new()
    {
        // ---- traces (Cookbook 2.5) ----
        { "tr(X)", M, "X", "eye" },                                    // (100)
        { "tr(A*X)", M, "X", "A'" },                                   // (100)
        { "tr(X*A)", M, "X", "A'" },
        { "tr(X'*A)", M, "X", "A" },                                   // (101)
        { "tr(A*X')", M, "X", "A" },
        { "tr(A'*X)", M, "X", "A" },
        { "tr(A*X*B)", M, "X", "A'*B'" },                              // (102)
        { "tr(A*X'*B)", M, "X", "B*A" },                               // (103)
        { "tr(X'*X)", M, "X", "2*X" },
        { "tr(X*X')", M, "X", "2*X" },
        { "tr(X*X)", M, "X", "2*X'" },                                 // (106)
        { "tr(X^2)", M, "X", "2*X'" },
        { "tr(X'*A*X)", M, "X", "(A+A')*X" },                          // (108)
        { "tr(X*A*X')", M, "X", "X*(A+A')" },                          // (109)
        { "tr(X'*A*X)", "X:matrix(n,n); A:symmetric(n)", "X", "2*A*X" },
        { "tr(A*X*B*X')", M, "X", "A*X*B+A'*X*B'" },                   // (114)
        { "tr(X'*A*X*B)", M, "X", "A*X*B+A'*X*B'" },                   // (112)
        { "tr(X*A)", "X:matrix(m,n); A:matrix(n,m)", "X", "A'" },
        { "tr(A*X*B)", "X:matrix(m,k); A:matrix(n,m); B:matrix(k,n)", "X", "A'*B'" },
        { "tr(inv(X)*A)", M, "X", "-inv(X)'*A'*inv(X)'" },             // (63)
        { "tr(A*inv(X)*B)", M, "X", "-inv(X)'*A'*B'*inv(X)'" },        // (124)
        { "tr(3*A*X)", M, "X", "3*A'" },
        { "tr(A*X)+tr(B*X)", M, "X", "A'+B'" },
        { "tr(A*X)-tr(X*B)", M, "X", "A'-B'" },
        { "sum(X)", M, "X", "matrix(1)" },
        { "sum(A.*X)", M, "X", "A" },
        { "sum(X.*X)", M, "X", "2*X" },
        { "tr(A)", M, "X", "matrix(0)" },

        // ---- determinants (Cookbook 2.1) ----
        { "det(X)", M, "X", "det(X)*inv(X)'" },                        // (49)
        { "logdet(X)", M, "X", "inv(X)'" },                            // (57)
        { "det(X)", "X:symmetric(n)", "X", "det(X)*inv(X)" },
        { "logdet(X)", "X:symmetric(n)", "X", "inv(X)" },
        { "det(X')", M, "X", "det(X)*inv(X)'" },
        { "logdet(X')", M, "X", "inv(X)'" },
        { "det(A*X*B)", M, "X", "det(A*X*B)*inv(X)'" },                // (51)
        { "logdet(A*X*B)", M, "X", "inv(X)'" },
        { "det(2*X)", M, "X", "det(2*X)*inv(X)'" },
        { "log(det(X))", M, "X", "inv(X)'" },
        { "det(inv(X))", M, "X", "-det(inv(X))*inv(X)'" },             // (52)

        // ---- inverses (Cookbook 2.2) ----
        { "a'*inv(X)*b", MV, "X", "-inv(X)'*a*b'*inv(X)'" },           // (61)
        { "tr(inv(X))", M, "X", "-inv(X)'^2" },
        { "a'*X^-1*b", MV, "X", "-inv(X)'*a*b'*inv(X)'" },

        // ---- linear and quadratic forms (Cookbook 2.4) ----
        { "a'*x", MV, "x", "a" },                                      // (69)
        { "x'*a", MV, "x", "a" },
        { "<a,x>", MV, "x", "a" },
        { "dot(a,x)", MV, "x", "a" },
        { "dot(x,a)", MV, "x", "a" },
        { "x'*x", MV, "x", "2*x" },
        { "x'*A*x", MV, "x", "(A+A')*x" },                             // (81)
        { "x'*A*x", "x:vector(n); A:symmetric(n)", "x", "2*A*x" },
        { "x'*A*x", MV, "A", "x*x'" },
        { "x'*A*y", MV, "x", "A*y" },
        { "x'*A*y", MV, "y", "A'*x" },
        { "x'*A*y", MV, "A", "x*y'" },
        { "a'*X*b", MV, "X", "a*b'" },                                 // (70)
        { "a'*X'*b", MV, "X", "b*a'" },                                // (71)
        { "a'*X*a", MV, "X", "a*a'" },                                 // (72)
        { "b'*X'*X*c", MV, "X", "X*(b*c'+c*b')" },                     // (77)
        { "(X*b+c)'*D*(X*b+c)", MV, "X", "(D+D')*(X*b+c)*b'" },        // (78)
        { "(A*x+b)'*C*(D*x+e)", MV, "x", "A'*C*(D*x+e)+D'*C'*(A*x+b)" }, // (79)
        { "(A*x+b)'*(A*x+b)", MV, "x", "2*A'*(A*x+b)" },
        { "(x-s)'*C*(x-s)", "x:vector(n); s:vector(n); C:symmetric(n)", "x", "2*C*(x-s)" },   // (84)
        { "(x-s)'*C*(x-s)", "x:vector(n); s:vector(n); C:symmetric(n)", "s", "-2*C*(x-s)" },  // (85)
        { "(x-A*s)'*C*(x-A*s)", "x:vector(n); s:vector(n); A:matrix(n,n); C:symmetric(n)", "x", "2*C*(x-A*s)" },   // (87)
        { "(x-A*s)'*C*(x-A*s)", "x:vector(n); s:vector(n); A:matrix(n,n); C:symmetric(n)", "s", "-2*A'*C*(x-A*s)" }, // (86)
        { "(x-A*s)'*C*(x-A*s)", "x:vector(n); s:vector(n); A:matrix(n,n); C:symmetric(n)", "A", "-2*C*(x-A*s)*s'" }, // (88)
        { "x'*x", "x:vector(n)", "x", "2*x" },
        { "a'*x+b'*x", MV, "x", "a+b" },
        { "3*a'*x", MV, "x", "3*a" },
        { "sum(x)", V, "x", "vector(1)" },
        { "sum(A*x)", MV, "x", "A'*vector(1)" },
        { "x'*A*x+b'*x", MV, "x", "(A+A')*x+b" },

        // ---- norms ----
        { "norm2(x)^2", V, "x", "2*x" },
        { "norm2(x)", V, "x", "x/norm2(x)" },
        { "norm2(X)^2", M, "X", "2*X" },
        { "norm2(X)", M, "X", "X/norm2(X)" },
        { "norm2(A*x-b)^2", MV, "x", "2*A'*(A*x-b)" },
        { "norm1(x)", V, "x", "sign(x)" },
        { "norm2(x-a)", V, "x", "(x-a)/norm2(x-a)" },

        // ---- element-wise and scalar ----
        { "sum(exp(x))", V, "x", "exp(x)" },
        { "sum(log(x))", V, "x", "1./x" },
        { "sum(x.^2)", V, "x", "2*x" },
        { "sum(x.*x)", V, "x", "2*x" },
        { "sum(sin(x))", V, "x", "cos(x)" },
        { "sum(cos(x))", V, "x", "-sin(x)" },
        { "a^2", "a:scalar", "a", "2*a" },
        { "a^3", "a:scalar", "a", "3*a^2" },
        { "a*b", "a:scalar; b:scalar", "a", "b" },
        { "exp(a)", "a:scalar", "a", "exp(a)" },
        { "log(a)", "a:scalar", "a", "1/a" },
        { "1/a", "a:scalar", "a", "-1/a^2" },
        { "sin(a)", "a:scalar", "a", "cos(a)" },
        { "tanh(a)", "a:scalar", "a", "1-tanh(a)^2" },
        { "sigmoid(a)", "a:scalar", "a", "sigmoid(a)*(1-sigmoid(a))" },
        { "softplus(a)", "a:scalar", "a", "sigmoid(a)" },
        { "exp(a*b)", "a:scalar; b:scalar", "a", "exp(a*b)*b" },
        { "logsumexp(x)", V, "x", "softmax(x)" },

        // ---- ML losses ----
        { "(y-X*w)'*(y-X*w)", "y:vector(m); X:matrix(m,n); w:vector(n)", "w", "-2*X'*(y-X*w)" }, // seed: either sign
        { "norm2(X*w-y)^2", "y:vector(m); X:matrix(m,n); w:vector(n)", "w", "2*X'*(X*w-y)" },
        { "norm2(X*w-y)^2+lambda*norm2(w)^2", "y:vector(m); X:matrix(m,n); w:vector(n); lambda:scalar", "w", "2*(X'*(X*w-y)+lambda*w)" },
        { "norm2(X*w-y)^2", "y:vector(m); X:matrix(m,n); w:vector(n)", "X", "2*(X*w-y)*w'" },
        { "sum(softplus(-y.*(X*w)))", "y:vector(m); X:matrix(m,n); w:vector(n)", "w", "-X'*(y.*sigmoid(-y.*(X*w)))" },
        { "log(1+exp(-y*<w,x>))", "y:scalar; w:vector; x:vector", "w", "-sigmoid(-y*w'*x)*y*x" },
        { "logsumexp(W*x)-y'*W*x", "W:matrix(k,n); x:vector(n); y:vector(k)", "W", "(softmax(W*x)-y)*x'" },
        { "-y'*log(softmax(W*x))", "W:matrix(k,n); x:vector(n); y:vector(k)", "W", "(sum(y)*softmax(W*x)-y)*x'" },
        { "(x-mu)'*S*(x-mu)", "x:vector(n); mu:vector(n); S:symmetric(n)", "mu", "-2*S*(x-mu)" },
        { "(x-mu)'*S*(x-mu)", "x:vector(n); mu:vector(n); S:symmetric(n)", "x", "2*S*(x-mu)" },
        { "-logdet(P)+(x-m)'*P*(x-m)", "x:vector(n); m:vector(n); P:symmetric(n)", "P", "(x-m)*(x-m)'-inv(P)" },
        { "-logdet(P)+(x-m)'*P*(x-m)", "x:vector(n); m:vector(n); P:symmetric(n)", "m", "-2*P*(x-m)" },
    };

    [Theory]
    [MemberData(nameof(Gradients))]
    public void Gradient_is_textbook_and_numerically_right(string expr, string decls, string wrt, string expected)
    {
        var text = CalcHelpers.DeriveAndCheck(expr, decls, wrt);
        Assert.Equal(CalcHelpers.NoSpace(expected), CalcHelpers.NoSpace(text));
    }

    public static readonly TheoryData<string, string, string, string> Hessians = new()
    {
        { "x'*A*x", MV, "x", "A+A'" },
        { "x'*A*x", "x:vector(n); A:symmetric(n)", "x", "2*A" },
        { "(y-X*w)'*(y-X*w)", "y:vector(m); X:matrix(m,n); w:vector(n)", "w", "2*X'*X" },
        { "norm2(x)^2", V, "x", "2*eye" },
        { "a'*x", MV, "x", "matrix(0)" },
        { "a^3", "a:scalar", "a", "6*a" },
    };

    [Theory]
    [MemberData(nameof(Hessians))]
    public void Hessian_is_textbook_and_numerically_right(string expr, string decls, string wrt, string expected)
    {
        var text = CalcHelpers.DeriveAndCheck(expr, decls, wrt, DerivativeKind.Hessian, tolerance: 1e-4);
        Assert.Equal(CalcHelpers.NoSpace(expected), CalcHelpers.NoSpace(text));
    }

    public static readonly TheoryData<string, string, string, string> Jacobians = new()
    {
        { "A*x", MV, "x", "A" },
        { "x", V, "x", "eye" },
        { "A*x+b", MV, "x", "A" },
        { "exp(x)", V, "x", "diag(exp(x))" },
    };

    [Theory]
    [MemberData(nameof(Jacobians))]
    public void Jacobian_is_textbook_and_numerically_right(string expr, string decls, string wrt, string expected)
    {
        var text = CalcHelpers.DeriveAndCheck(expr, decls, wrt, DerivativeKind.Jacobian);
        Assert.Equal(CalcHelpers.NoSpace(expected), CalcHelpers.NoSpace(text));
    }
}
