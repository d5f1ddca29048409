# The Ruby upload Lambda with system.md bug 7 put back: `status_code` instead of `statusCode`.
require_relative 'function'

alias fixed_handler handler

def handler(event:, context:)
  answer = fixed_handler(event: event, context: context)
  answer[:status_code] = answer.delete(:statusCode)
  answer
end
