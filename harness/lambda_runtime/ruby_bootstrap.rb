# frozen_string_literal: true

# Ruby runtime bootstrap for the harness executor: speaks the Lambda Runtime API as AWS's ruby runtimes do
# (behaviour.md "Lambda runtime"; the behaviour of aws_lambda_ric, AWS's Ruby runtime interface client, which
# is a gem, and RubyGems is not reachable here). Loads `_HANDLER` (`file.method` or `file.Module::Class.method`)
# from LAMBDA_TASK_ROOT and calls `method(event:, context:)`. Errors are reported in AWS's shapes:
# `{errorMessage, errorType: "Function<RuntimeError>", stackTrace: ["file:line:in `method'", ...]}`, init
# failures as `Init<LoadError>` and the like, each also logged as AWS logs it ("Error raised from handler
# method" + the JSON). A NoMethodError/NameError (or a non-StandardError) in the handler is critical: reported,
# then the runtime exits and the next invocation initialises a fresh one, as on AWS. `puts` goes to the log;
# a Logger on $stdout/$stderr gets AWS's line format with the request id.
# Argument: an optional line to write to the log at init (harness.lambda_runtime.ruby: a substitute Ruby).

require 'json'
require 'logger'
require 'net/http'
require 'stringio'

$stdout.sync = true
$stderr.sync = true

# The context object AWS's ruby runtimes pass as `context:` (same name and readers).
class LambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
              :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms

  def initialize(headers)
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
    @aws_request_id = headers['lambda-runtime-aws-request-id']
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    @identity = parse_header(headers['lambda-runtime-cognito-identity'])
    @client_context = parse_header(headers['lambda-runtime-client-context'])
  end

  def get_remaining_time_in_millis # rubocop:disable Naming/AccessorMethodName - AWS's name
    [@deadline_ms - Process.clock_gettime(Process::CLOCK_REALTIME, :millisecond), 0].max
  end

  private

  def parse_header(value)
    JSON.parse(value) unless value.to_s.empty?
  end
end

module HarnessRubyRuntime
  API = '/2018-06-01/runtime'
  # The classes whose errorType AWS also puts in the Lambda-Runtime-Function-Error-Type header; others: Function<UserException>.
  HEADER_ERROR_CLASSES = %w[ArgumentError NoMethodError Exception StandardError NameError LoadError SystemExit SystemStackError].freeze
  # Init errors exit with this status (aws_lambda_ric: exit(-4)); critical handler errors with 255 (exit(-1)).
  INIT_ERROR_EXIT = 252
  CRITICAL_ERROR_EXIT = 255

  class << self
    attr_accessor :request_id
  end

  # An error of the function, in AWS's shape; `classification` is Function, Init or Runtime.
  class LambdaError < StandardError
    def initialize(original, classification)
      @original = original
      @error_type = "#{classification}<#{original.class}>"
      super(original.message)
    end

    def header_type
      HEADER_ERROR_CLASSES.include?(@original.class.to_s) ? @error_type : 'Function<UserException>'
    end

    def to_lambda_response
      { errorMessage: @original.message, errorType: @error_type, stackTrace: stack_trace }
    end

    private

    # The first 100 frames of the function's own code: frames from this bootstrap on are the runtime's, not shown.
    def stack_trace
      (@original.backtrace_locations || []).first(100).take_while { |frame| frame.absolute_path != __FILE__ }.map(&:to_s)
    end
  end

  # AWS's Logger line: `I, [<time> #<pid>]  INFO <request id> -- <progname>: <message>`.
  class LogFormatter < Logger::Formatter
    def call(severity, time, progname, msg)
      format("%<s>s, [%<t>s #%<pid>d] %<sev>5s %<id>s -- %<prog>s: %<msg>s\n", s: severity[0], t: format_datetime(time), pid: Process.pid,
             sev: severity, id: HarnessRubyRuntime.request_id, prog: progname, msg: msg2str(msg))
    end
  end

  # A Logger writing to $stdout or $stderr uses AWS's format unless given a formatter.
  module LoggerDefaults
    def initialize(logdev, *args, formatter: nil, **options)
      formatter ||= LogFormatter.new if logdev.nil? || logdev == $stdout || logdev == $stderr
      super(logdev, *args, formatter: formatter, **options)
    end
  end

  # The handler named by _HANDLER.
  class Handler
    attr_reader :file_name

    def initialize(spec)
      parts = spec.to_s.split('.')
      case parts.size
      when 2 then @file_name, @method_name = parts
      when 3 then @file_name, @class_name, @method_name = parts
      else
        raise ArgumentError, "Invalid handler #{parts}, must be of form FILENAME.METHOD or FILENAME.CLASS.METHOD where FILENAME" \
                             ' corresponds with an existing Ruby source file FILENAME.rb, CLASS is an optional module/class' \
                             ' namespace and METHOD is a callable method. If using CLASS, METHOD must be a class-level method.'
      end
    end

    # [body, content type]: the result as JSON, or an IO's bytes as application/unknown.
    def call(event, context)
      receiver = @class_name ? Kernel.const_get(@class_name) : TOPLEVEL_BINDING.receiver
      result = receiver.__send__(@method_name, event: event, context: context)
      result.is_a?(IO) || result.is_a?(StringIO) ? [result.read, 'application/unknown'] : [result.to_json, 'application/json']
    end
  end

  # The Runtime API client: one kept-alive connection to AWS_LAMBDA_RUNTIME_API.
  class RuntimeApi
    def initialize(address)
      host, port = address.split(':')
      @http = Net::HTTP.new(host, port.to_i)
      @http.read_timeout = 1_000_000 # /next waits for the next invocation
      @http.start
    end

    def next_invocation
      @http.request(Net::HTTP::Get.new("#{API}/invocation/next"))
    end

    def respond(request_id, body, content_type)
      post("#{API}/invocation/#{request_id}/response", body, 'Content-Type' => content_type)
    end

    def error(request_id, error)
      post("#{API}/invocation/#{request_id}/error", error.to_lambda_response.to_json,
           'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => error.header_type)
    end

    def init_error(error)
      post("#{API}/init/error", error.to_lambda_response.to_json,
           'Content-Type' => 'application/json', 'Lambda-Runtime-Function-Error-Type' => error.header_type)
    end

    private

    def post(path, body, headers)
      request = Net::HTTP::Post.new(path, headers)
      request.body = body
      @http.request(request)
    end
  end

  def self.log_error(message, error)
    puts message
    puts JSON.pretty_generate(error.to_lambda_response)
  end

  def self.load_handler(api, spec)
    handler = Handler.new(spec)
    $LOAD_PATH.unshift(ENV['LAMBDA_TASK_ROOT']) unless $LOAD_PATH.include?(ENV['LAMBDA_TASK_ROOT'])
    require handler.file_name
    handler
  rescue Exception => e # rubocop:disable Lint/RescueException - any failure of the function's code at init is an init error
    error = LambdaError.new(e, 'Init')
    log_error("Init error when loading handler #{spec}", error)
    api.init_error(error)
    exit(INIT_ERROR_EXIT)
  end

  # Runs one invocation; returns false when the runtime must end (a critical error), as aws_lambda_ric does.
  def self.invoke(api, handler, invocation)
    request_id = invocation['lambda-runtime-aws-request-id']
    self.request_id = request_id
    ENV['_X_AMZN_TRACE_ID'] = invocation['lambda-runtime-trace-id'].to_s
    event = invocation['content-type'] == 'application/json' ? JSON.parse(invocation.body) : invocation.body
    body, content_type = handler.call(event, LambdaContext.new(invocation))
    api.respond(request_id, body, content_type)
    true
  rescue Exception => e # rubocop:disable Lint/RescueException - NoMethodError/NameError and non-StandardErrors are critical
    critical = e.is_a?(NameError) || !e.is_a?(StandardError)
    error = LambdaError.new(e, 'Function')
    log_error(critical ? 'Critical exception from handler' : 'Error raised from handler method', error)
    api.error(request_id, error)
    !critical
  end

  def self.main
    note = ARGV.shift
    puts note if note
    Logger.prepend(LoggerDefaults)
    api = RuntimeApi.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
    spec = ENV['_HANDLER']
    handler = load_handler(api, spec)
    loop do
      invocation = api.next_invocation
      exit(0) unless invocation.is_a?(Net::HTTPSuccess)
      exit(CRITICAL_ERROR_EXIT) unless invoke(api, handler, invocation)
    end
  end
end

HarnessRubyRuntime.main
