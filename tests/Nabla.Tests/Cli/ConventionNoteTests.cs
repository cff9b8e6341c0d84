using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli;

/// <summary>The human output of grad/jac/hess says how undeclared variables were typed, and how to type one otherwise.</summary>
public class ConventionNoteTests
{
    [Fact]
    public void Undeclared_variables_are_listed_with_their_types_and_a_scalar_is_the_example()
    {
        var (rc, output, err) = Run("grad", "sum(tanh(W*x+b))", "--wrt", "x");
        Assert.Equal(0, rc);
        Assert.Equal("", err);
        Assert.Contains("  typed without a declaration (by the naming convention and their use): W matrix, b scalar, x vector;" +
            " declare otherwise with --var, e.g. --var b:vector(n)", output);
    }

    [Fact]
    public void Declared_and_valued_variables_are_not_listed_and_nothing_is_said_when_all_are_declared()
    {
        var (_, partly, _) = Run("grad", "x'*A*x", "--wrt", "x", "--var", "A:symmetric");
        Assert.Contains("typed without a declaration (by the naming convention and their use): x vector;", partly);
        Assert.DoesNotContain("A symmetric", partly);
        var (_, all, _) = Run("grad", "x'*A*x", "--wrt", "x", "--var", "A:symmetric", "--var", "x:vector");
        Assert.DoesNotContain("typed without a declaration", all);
    }
}
