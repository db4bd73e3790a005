using LstmSweep.Core.Spec;

namespace LstmSweep.Core.Tests;

public class BadSpecTests
{
    const string Head = "name: s\ntask: cumsum\n";

    [Theory]
    [InlineData("task: cumsum\n", "name", "missing")]
    [InlineData("name: My Sweep\ntask: cumsum\n", "name", "invalid name 'My Sweep'; use 1 to 63 characters")]
    [InlineData("name: [a]\ntask: cumsum\n", "name", "got a list")]
    [InlineData("name: s\n", "task", "missing; allowed: cumsum, echo-second")]
    [InlineData("name: s\ntask: sine\n", "task", "unknown task 'sine'; allowed: cumsum, echo-second, stateful-counter, array, variable-length")]
    [InlineData(Head + "spcae: {}\n", "spcae", "unknown key 'spcae'; allowed: name, task")]
    [InlineData(Head + "name: t\n", "name", "duplicate key (line 3; first given on line 1)")]
    [InlineData(Head + "strategy: bayes\n", "strategy", "unknown strategy 'bayes'; allowed: grid, random")]
    [InlineData(Head + "checkpoint_every: 0\n", "checkpoint_every", "expected a positive integer, got '0'")]
    [InlineData(Head + "checkpoint_every: often\n", "checkpoint_every", "expected a positive integer, got 'often'")]
    [InlineData(Head + "eval_every: 0\n", "eval_every", "expected a positive integer, got '0'")]
    [InlineData(Head + "eval_every: sometimes\n", "eval_every", "expected a positive integer, got 'sometimes'")]
    [InlineData(Head + "retries: -1\n", "retries", "expected an integer from 0 to 100 (the limit max_retries), got '-1'")]
    [InlineData(Head + "retries: 1.5\n", "retries", "expected an integer from 0 to 100 (the limit max_retries), got '1.5'")]
    [InlineData(Head + "retries: lots\n", "retries", "expected an integer from 0 to 100 (the limit max_retries), got 'lots'")]
    [InlineData(Head + "retries: \"3\"\n", "retries", "expected an integer from 0 to 100 (the limit max_retries), got the string \"3\"")]
    [InlineData(Head + "objective: f1\n", "objective", "unknown objective 'f1'; allowed: accuracy, loss")]
    [InlineData(Head + "seed: 1.5\n", "seed", "expected an integer, got '1.5'")]
    [InlineData(Head + "truncate: maybe\n", "truncate", "expected true or false, got 'maybe'")]
    [InlineData(Head + "max_trials: 0\n", "max_trials", "expected a positive integer, got '0'")]
    [InlineData(Head + "strategy: random\n", "max_trials", "required for strategy: random")]
    [InlineData(Head + "strategy: random\nmax_trials: 5\ntruncate: true\n", "truncate", "grid only")]
    [InlineData(Head + "truncate: true\n", "truncate", "needs max_trials")]
    [InlineData(Head + "max_trials: 3\nspace: {units: [1, 2], merge_mode: [none, sum]}\n", "max_trials",
        "the grid has 4 points but max_trials is 3; raise max_trials to 4, or set truncate: true")]
    [InlineData(Head + "space: [1]\n", "space", "expected a mapping of hyperparameters")]
    [InlineData(Head + "space: {dropout: [0.1]}\n", "space.dropout", "unknown hyperparameter 'dropout'; allowed: units, merge_mode")]
    [InlineData(Head + "space: {units: [ten]}\n", "space.units[0]", "expected a positive integer, got 'ten'")]
    [InlineData(Head + "space: {units: [10, \"20\"]}\n", "space.units[1]", "expected a positive integer, got the string \"20\"")]
    [InlineData(Head + "space: {units: []}\n", "space.units", "empty list; give at least one value, or leave units out for the default [20]")]
    [InlineData(Head + "space: {units: [10, 10]}\n", "space.units[1]", "10 is listed twice")]
    [InlineData(Head + "space: {epochs: [0]}\n", "space.epochs[0]", "expected a positive integer, got '0'")]
    [InlineData(Head + "space: {batch_size: [-4]}\n", "space.batch_size[0]", "expected a positive integer, got '-4'")]
    [InlineData(Head + "space: {layers: [17]}\n", "space.layers[0]", "17 is above the limit 16 (max_layers)")]
    [InlineData(Head + "space: {units: [5000]}\n", "space.units[0]", "5000 is above the limit 4096 (max_units)")]
    [InlineData(Head + "space: {epochs: [100001]}\n", "space.epochs[0]", "100001 is above the limit 100000 (max_epochs)")]
    [InlineData(Head + "space: {batch_size: [65537]}\n", "space.batch_size[0]", "65537 is above the limit 65536 (max_batch_size)")]
    [InlineData(Head + "space: {dense_units: [4097]}\n", "space.dense_units[0]", "4097 is above the limit 4096 (max_units)")]
    [InlineData(Head + "space: {dense_units: [-1]}\n", "space.dense_units[0]", "expected a non-negative integer")]
    [InlineData(Head + "space: {optimizer: [adam, adagrad]}\n", "space.optimizer[1]", "unknown optimizer 'adagrad'; allowed: adam, rmsprop, sgd")]
    [InlineData(Head + "space: {head: [tanh]}\n", "space.head[0]", "unknown head 'tanh'; allowed: auto, softmax, sigmoid")]
    [InlineData(Head + "space: {init: [glorot]}\n", "space.init[0]", "unknown init 'glorot'; allowed: keras, torch")]
    [InlineData("name: s\ntask: echo-second\ntask_options: {validation: first}\n", "task_options.validation", "unknown validation 'first'; allowed: random, last")]
    [InlineData("name: s\ntask: echo-second\ntask_options: {n_max: 4, n_values: 5}\n", "task_options.n_values", "n_values 5 is more than n_max 4")]
    [InlineData(Head + "space: {learning_rate: [0.1, 0]}\n", "space.learning_rate[1]", "expected a number in (0, 10], got '0'")]
    [InlineData(Head + "space: {learning_rate: [11]}\n", "space.learning_rate[0]", "expected a number in (0, 10]")]
    [InlineData(Head + "space:\n  merge_mode: [none, concat, avg]\n", "space.merge_mode[2]",
        "unknown merge mode 'avg'; allowed: none, concat, sum, mul, ave")]
    [InlineData(Head + "space: {stateful: [yes]}\n", "space.stateful[0]", "expected true or false, got 'yes'")]
    [InlineData(Head + "space: {merge_mode: {min: 1, max: 2}}\n", "space.merge_mode", "expected a list of values, got a mapping")]
    [InlineData(Head + "space:\n  units:\n", "space.units", "expected a list of values, got nothing")]
    [InlineData(Head + "space: {units: {min: 10, max: 20}}\n", "space.units", "use a list, or strategy: random")]
    [InlineData(Head + "strategy: random\nmax_trials: 4\nspace: {units: {min: 30, max: 20}}\n", "space.units", "min 30 is greater than max 20")]
    [InlineData(Head + "strategy: random\nmax_trials: 4\nspace: {units: {min: 10}}\n", "space.units.max", "a range needs both min and max")]
    [InlineData(Head + "strategy: random\nmax_trials: 4\nspace: {units: {min: 1, max: 2, step: 1}}\n", "space.units.step", "unknown range key 'step'")]
    [InlineData(Head + "strategy: random\nmax_trials: 4\nspace: {learning_rate: {min: 0, max: 0.1, log: true}}\n",
        "space.learning_rate.min", "expected a number in (0, 10], got '0'")]
    [InlineData(Head + "strategy: random\nmax_trials: 4\nspace: {units: {min: 1.5, max: 4}}\n", "space.units.min", "expected a positive integer")]
    [InlineData(Head + "task_options: {timesteps: 1}\n", "task_options.timesteps", "expected an integer from 2 to 10000 (the limit max_timesteps), got '1'")]
    [InlineData(Head + "task_options: {n_max: 5}\n", "task_options.n_max",
        "unknown option 'n_max' for task cumsum; allowed: timesteps, sequences_per_epoch, eval_samples")]
    [InlineData(Head + "task_options: [1]\n", "task_options", "expected a mapping of options for task cumsum, got a list")]
    [InlineData("name: s\ntask: stateful-counter\ntask_options: {timesteps: 5}\n", "task_options.timesteps", "it takes no options")]
    [InlineData("name: s\ntask: echo-second\ntask_options: {samples: 5}\n", "task_options.samples", "expected an integer from 10 to 1000000 (the limit max_samples)")]
    [InlineData("name: s\ntask: echo-second\ntask_options: {validation_split: 1}\n", "task_options.validation_split",
        "expected a number between 0 and 1")]
    [InlineData("name: s\ntask: variable-length\ntask_options: {min_len: 5, max_len: 4}\n", "task_options.max_len",
        "max_len 4 is less than min_len 5")]
    [InlineData("name: s\ntask: variable-length\ntask_options: {alphabet: 1}\n", "task_options.alphabet", "expected an integer from 2 to 10000 (the limit max_classes)")]
    [InlineData("name: s\ntask: array\n", "task_options.path", "required for task array")]
    [InlineData("name: s\ntask: array\ntask_options: {path: /nonexistent/data.csv}\n", "task_options.path",
        "/nonexistent/data.csv: outside the data folders this node allows")]
    [InlineData("name: s\ntask: array\ntask_options: {path: x.csv, features: 0}\n", "task_options.features", "expected a positive integer")]
    [InlineData("- name: s\n", "", "the spec must be a mapping of keys")]
    [InlineData("", "", "the spec is empty")]
    [InlineData("name: s\ntask: [cumsum\n", "", "invalid YAML at line")]
    [InlineData("name: s\ntask: cumsum\nspace: {units: [1, 2\nepochs: 3}\n", "", "invalid YAML after line 3, column")]
    [InlineData("a: [1, 2\nb: 3", "", "is a bracket or quote left open?")]
    [InlineData("name: s\ntask: cumsum\nspace: {units: *missing}\n", "", "unknown alias")]
    [InlineData("name: s\ntask: cumsum\n\tspace: {}\n", "", "invalid YAML at line")]
    [InlineData("name: s\n---\ntask: cumsum\n", "", "a spec is a single document")]
    [InlineData("{\"name\": \"s\", \"task\": \"cumsum\",, }", "", "invalid JSON at line 1")]
    [InlineData("{\"name\": \"s\", \"task\": \"cumsum\", \"space\": {\"units\": [\"ten\"]}}", "space.units[0]",
        "expected a positive integer, got the string \"ten\"")]
    public void Reports_the_problem_at_its_path(string spec, string path, string messageFragment)
        => SpecAssert.RejectedWithOneError(spec, path, messageFragment);

    [Fact]
    public void CollectsEveryProblemInsteadOfStoppingAtTheFirst()
    {
        var result = SpecParser.Parse("name: Bad Name\ntask: cumsum\nspace:\n  units: [0]\n  merge_mode: [avg]\n");

        Assert.Equal(["name", "space.units[0]", "space.merge_mode[0]"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void SyntaxErrorsGiveLineAndColumn()
    {
        var error = Assert.Single(SpecParser.Parse("name: s\ntask: cumsum\nspace:\n  units: [1, 2\n").Errors);

        Assert.Matches(@"^invalid YAML at line \d+, column \d+: \S", error.Message);
    }

    [Fact]
    public void AnErrorPrintsAsPathColonMessage()
    {
        Assert.Equal("space.units[0]: expected a positive integer, got 'ten'",
            SpecParser.Parse(Head + "space: {units: [ten]}\n").Errors.Single().ToString());
        Assert.Equal("the spec is empty; it needs at least name and task", SpecParser.Parse("").Errors.Single().ToString());
    }

    [Fact]
    public void AMissingSpecFileIsOneErrorWithoutAPath()
    {
        var result = SpecParser.ParseFile("/nonexistent/spec.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("", error.Path);
        Assert.Contains("/nonexistent/spec.yaml", error.Message);
        Assert.Contains("not found", error.Message);
    }
}
