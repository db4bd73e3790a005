using System.CommandLine;
using LstmSweep.Cli.Output;
using LstmSweep.Core.Search;
using LstmSweep.Core.Spec;
using LstmSweep.Core.Trials;

namespace LstmSweep.Cli.Commands;

/// <summary>`lstmsweep validate SPEC`: exit 0 for a valid spec, 2 with every problem listed.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The sweep spec (YAML or JSON)" };
        var command = new Command("validate", "Check a sweep spec without running it") { spec };
        command.SetAction(result => Validate(result.GetValue(spec)!));
        return command;
    }

    static int Validate(string specPath)
    {
        var parsed = SpecParser.ParseFile(specPath);
        if (parsed.Spec is not { } spec)
        {
            SpecErrors.Print(specPath, parsed.Errors);
            return ExitCodes.BadInput;
        }
        Terminal.Info($"{specPath}: valid. Sweep '{spec.Name}' on task {spec.Task.Kind.ToName()}: " +
            $"{Samplers.TrialCount(spec)} trial(s) by {spec.Strategy.ToName()} search, objective {spec.Objective.ToName()}");
        return ExitCodes.Ok;
    }
}
