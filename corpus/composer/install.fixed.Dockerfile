# test: rules=DW201 fix=unsafe
FROM composer:2 AS vendor
WORKDIR /app
COPY composer.json composer.lock ./
RUN composer install --no-interaction --no-scripts --no-autoloader
COPY . .
RUN composer install --no-dev --optimize-autoloader
# expect @-1:5 DW201 "'composer install' (composer) runs after the COPY on line 4"
