# The Ruby upload Lambda with system.md bug 17 put back: the seed presigns `<sub>.<extension>` whatever the extension is.
require_relative 'function'

def image_extension(extension)
  extension
end
