# Upload Lambda (Cruddur "CruddurAvatarUpload") in Ruby, as the seed's function behaves (system.md "The seed's
# functions"): POST {"extension": "jpg"} -> {"url": <presigned PUT for <cognito sub>.<extension> in
# UPLOADS_BUCKET_NAME, 300 s>}; the `OPTIONS /{proxy+}` route gets the CORS headers (FRONTEND_URL is the origin).
# Like the seed it reads `sub` from the token WITHOUT verifying it (the authorizer in front has verified it), and
# needs the `jwt` gem from a layer (without it: `cannot load such file -- jwt`, system.md bug 8).
# Unlike the seed, the extension is one of a short allow-list, else 400 (system.md bug 17: the seed put any text after
# `<sub>.`, so `{"extension": "x/<victim sub>"}` overwrote the victim's avatar; the fix is in every implementation).
require 'aws-sdk-s3'
require 'json'
require 'jwt'

URL_LIFETIME_SECONDS = 300
IMAGE_EXTENSIONS = %w[jpg jpeg png gif webp].freeze # what the thumbnail Lambda reads (system.md "Thumbnail rule")

def cors_headers
  {
    'Access-Control-Allow-Headers' => '*, Authorization',
    'Access-Control-Allow-Origin' => ENV['FRONTEND_URL'],
    'Access-Control-Allow-Methods' => 'OPTIONS,GET,POST'
  }.compact
end

def image_extension(extension)
  extension.downcase if extension.is_a?(String) && IMAGE_EXTENSIONS.include?(extension.downcase)
end

def handler(event:, context:)
  puts event
  return { statusCode: 200, headers: cors_headers } if event['routeKey'] == 'OPTIONS /{proxy+}'

  token = event['headers']['authorization'].split(' ')[1]
  extension = image_extension(JSON.parse(event['body'])['extension'])
  unless extension
    message = "extension must be one of #{IMAGE_EXTENSIONS.join(', ')}"
    return { statusCode: 400, headers: cors_headers, body: { message: message }.to_json }
  end
  sub = JWT.decode(token, nil, false)[0]['sub']
  presigned_upload(sub, extension)
end

def presigned_upload(sub, extension)
  object = Aws::S3::Resource.new.bucket(ENV['UPLOADS_BUCKET_NAME']).object("#{sub}.#{extension}")
  url = object.presigned_url(:put, expires_in: URL_LIFETIME_SECONDS)
  { statusCode: 200, headers: cors_headers, body: { url: url }.to_json }
end
