// ossbucket: Go's OSS SDK (Debian's package, 1.5.0), unchanged, against mockecs server as its endpoint: the bucket
// settings Terraform's alicloud_oss_bucket writes and reads with this SDK's newer releases (CORS, website, logging,
// referer, lifecycle, policy through Conn.Do as the provider does, GetBucketInfo), each read back and parsed by the
// SDK, then removed; the answers for a bucket without them. Prints one JSON line; tests/test_oss_bucket_settings.py
// checks it. Arguments: endpoint, access key id, secret.
package main

import (
	"encoding/json"
	"io/ioutil"
	"os"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

func code(err error) interface{} {
	if e, ok := err.(oss.ServiceError); ok {
		return map[string]interface{}{"code": e.Code, "status": e.StatusCode}
	}
	if err == nil {
		return nil
	}
	return err.Error()
}

func main() {
	endpoint, key, secret := os.Args[1], os.Args[2], os.Args[3]
	out := map[string]interface{}{}
	fail := func(what string, err error) {
		out["failed"] = what + ": " + err.Error()
		json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(0)
	}
	client, err := oss.New(endpoint, key, secret)
	if err != nil {
		fail("New", err)
	}
	const name = "go-tf-bucket"
	exists, err := client.IsBucketExist(name)
	if err != nil {
		fail("IsBucketExist", err)
	}
	out["existedBefore"] = exists
	if err = client.CreateBucket(name, oss.ACL(oss.ACLPublicRead)); err != nil {
		fail("CreateBucket", err)
	}
	if err = client.CreateBucket("go-tf-logs"); err != nil {
		fail("CreateBucket logs", err)
	}
	// A bucket without settings: what the provider's Read tolerates.
	_, err = client.GetBucketCORS(name)
	out["noCors"] = code(err)
	_, err = client.GetBucketWebsite(name)
	out["noWebsite"] = code(err)
	_, err = client.GetBucketLifecycle(name)
	out["noLifecycle"] = code(err)
	_, err = client.Conn.Do("GET", name, "", "policy", "policy", nil, nil, 0, nil)
	out["noPolicy"] = code(err)
	logging, err := client.GetBucketLogging(name)
	if err != nil {
		fail("GetBucketLogging", err)
	}
	out["noLogging"] = logging.LoggingEnabled.TargetBucket
	referer, err := client.GetBucketReferer(name)
	if err != nil {
		fail("GetBucketReferer", err)
	}
	out["noReferer"] = map[string]interface{}{"allowEmpty": referer.AllowEmptyReferer, "list": referer.RefererList}

	// Put each, read each back.
	rule := oss.CORSRule{AllowedOrigin: []string{"*"}, AllowedMethod: []string{"PUT", "GET"},
		AllowedHeader: []string{"authorization"}, MaxAgeSeconds: 100}
	if err = client.SetBucketCORS(name, []oss.CORSRule{rule}); err != nil {
		fail("SetBucketCORS", err)
	}
	cors, err := client.GetBucketCORS(name)
	if err != nil {
		fail("GetBucketCORS", err)
	}
	out["cors"] = cors.CORSRules
	if err = client.SetBucketWebsite(name, "index.html", ""); err != nil {
		fail("SetBucketWebsite", err)
	}
	website, err := client.GetBucketWebsite(name)
	if err != nil {
		fail("GetBucketWebsite", err)
	}
	out["website"] = []string{website.IndexDocument.Suffix, website.ErrorDocument.Key}
	if err = client.SetBucketLogging(name, "go-tf-logs", "log/", true); err != nil {
		fail("SetBucketLogging", err)
	}
	logging, err = client.GetBucketLogging(name)
	if err != nil {
		fail("GetBucketLogging", err)
	}
	out["logging"] = []string{logging.LoggingEnabled.TargetBucket, logging.LoggingEnabled.TargetPrefix}
	if err = client.SetBucketReferer(name, []string{"http://www.aliyun.com"}, false); err != nil {
		fail("SetBucketReferer", err)
	}
	referer, err = client.GetBucketReferer(name)
	if err != nil {
		fail("GetBucketReferer", err)
	}
	out["referer"] = map[string]interface{}{"allowEmpty": referer.AllowEmptyReferer, "list": referer.RefererList}
	byDate := oss.BuildLifecycleRuleByDate("rule-date", "path2/", true, 2028, 11, 11)
	if err = client.SetBucketLifecycle(name, []oss.LifecycleRule{byDate}); err != nil {
		fail("SetBucketLifecycle", err)
	}
	lifecycle, err := client.GetBucketLifecycle(name)
	if err != nil {
		fail("GetBucketLifecycle", err)
	}
	rules := []string{}
	for _, r := range lifecycle.Rules {
		rules = append(rules, r.ID+" "+r.Prefix+" "+r.Status+" "+r.Expiration.Date.Format("2006-01-02"))
	}
	out["lifecycle"] = rules
	policy := `{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:GetObject"],"Principal":["*"]}]}`
	resp, err := client.Conn.Do("PUT", name, "", "policy", "policy", nil, strings.NewReader(policy), 0, nil)
	if err != nil {
		fail("PutPolicy", err)
	}
	resp.Body.Close()
	resp, err = client.Conn.Do("GET", name, "", "policy", "policy", nil, nil, 0, nil)
	if err != nil {
		fail("GetPolicy", err)
	}
	body, _ := ioutil.ReadAll(resp.Body)
	resp.Body.Close()
	out["policy"] = string(body) == policy
	info, err := client.GetBucketInfo(name)
	if err != nil {
		fail("GetBucketInfo", err)
	}
	out["info"] = map[string]interface{}{"acl": info.BucketInfo.ACL, "created": !info.BucketInfo.CreationDate.IsZero(),
		"location": info.BucketInfo.Location, "storageClass": info.BucketInfo.StorageClass}

	// Remove each (the provider's calls for a setting taken out of the configuration), then destroy.
	for what, call := range map[string]func() error{
		"cors": func() error { return client.DeleteBucketCORS(name) }, "website": func() error {
			return client.DeleteBucketWebsite(name)
		}, "logging": func() error { return client.DeleteBucketLogging(name) },
		"lifecycle": func() error { return client.DeleteBucketLifecycle(name) },
		"referer":   func() error { return client.SetBucketReferer(name, nil, true) },
		"policy": func() error {
			resp, err := client.Conn.Do("DELETE", name, "", "policy", "policy", nil, nil, 0, nil)
			if err == nil {
				resp.Body.Close()
			}
			return err
		}} {
		if err = call(); err != nil {
			fail("remove "+what, err)
		}
	}
	referer, err = client.GetBucketReferer(name)
	if err != nil {
		fail("GetBucketReferer", err)
	}
	out["refererCleared"] = len(referer.RefererList)
	_, err = client.GetBucketCORS(name)
	out["corsGone"] = code(err)
	out["deleteBucket"] = code(client.DeleteBucket(name))
	_, err = client.GetBucketInfo(name)
	out["gone"] = code(err)
	json.NewEncoder(os.Stdout).Encode(out)
}
