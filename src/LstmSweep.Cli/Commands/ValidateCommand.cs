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
        var (dataFolder, limit) = (SpecOptions.DataFolder(), SpecOptions.Limit());
        var command = new Command("validate", "Check a sweep spec without running it") { spec, dataFolder, limit };
        command.SetAction(result => SpecOptions.Read(result, result.GetValue(spec)!, dataFolder, limit) is { } read
            ? Validate(result.GetValue(spec)!, read.Spec)
            : ExitCodes.BadInput);
        return command;
    }

    static int Validate(string specPath, SpecReadOptions options)
    {
        var parsed = SpecParser.ParseFile(specPath, options);
        if (parsed.Spec is not { } spec)
        {
            SpecErrors.Print(specPath, parsed.Errors);
            return ExitCodes.BadInput;
        }
        Terminal.Info($"{specPath}: valid. Sweep '{spec.Name}' on task {spec.Task.Kind.ToName()}: " +
            $"{PlanSize.Trials(spec)} trial(s) by {spec.Strategy.ToName()} search, objective {spec.Objective.ToName()}");
        return ExitCodes.Ok;
    }
}
